// The architecture checker itself, on planted violations in a throw-away source tree: it must fail where the old
// line-regex check passed (a multi-line import of ../host/sysfs.js plus a write in qeth/plan.ts).
import { describe, expect, it } from 'vitest';
import { checkArchitecture } from '../helpers/import-graph.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

const RULES = {
  isPure: (file: string) => /^qeth\/(plan|triple)\.ts$|^values\//.test(file) || file === 'host/host.ts',
  pureModules: /^zod\/mini$/,
  ioModules: /^(node:)?(fs|child_process|http)$/,
};
const HOST = {
  'host/host.ts': 'export interface Sysfs { write(path: string, value: string): Promise<void> }\n',
  'host/sysfs.ts': "import { promises } from 'node:fs';\nimport type { Sysfs } from './host.js';\nexport const createSysfs = (): Sysfs => ({ write: (path, value) => promises.writeFile(path, value) });\n",
  'values/mac.ts': "import * as z from 'zod/mini';\nexport const mac = z.string();\n",
};
const check = (files: Record<string, string>) => checkArchitecture(makeTmpRoot({ ...HOST, ...files }), RULES);

describe('checkArchitecture', () => {
  it('passes a clean tree (pure plan, type-only use of the host, an allowed package)', () => {
    expect(check({ 'qeth/plan.ts': "import type { Sysfs } from '../host/host.js';\nimport { mac } from '../values/mac.js';\nexport const plan = (s: Sysfs) => [mac, s];\n" })).toEqual([]);
  });

  it('fails a multi-line import of ../host/sysfs.js plus a write in qeth/plan.ts', () => {
    const plan = ['import {', '  createSysfs,', "} from '../host/sysfs.js';", '', "export const plan = () => createSysfs().write('/sys/bus/ccwgroup/drivers/qeth/group', '0.0.0001');", ''].join('\n');
    // The old check: only lines starting with `import ` that also hold the forbidden `from`.
    expect(plan.split('\n').filter((line) => /^import /.test(line) && /from ['"][./]+host\/(?!host\.js)/.test(line))).toEqual([]);
    expect(check({ 'qeth/plan.ts': plan })).toEqual([{ file: 'qeth/plan.ts', line: 1, rule: 'pure file imports host/sysfs.ts (not pure) at run time' }]);
  });

  it('fails a re-export, a dynamic import and an indirect route through an impure helper', () => {
    const violations = check({
      'qeth/triple.ts': "export {\n  createSysfs } from '../host/sysfs.js';\n",
      'qeth/plan.ts': "import { helper } from './helper.js';\nexport const plan = async () => [helper, await import('../host/sysfs.js')];\n",
      'qeth/helper.ts': "export const helper = 1;\n",
    });
    expect(violations.map((v) => `${v.file}:${v.line} ${v.rule}`)).toEqual([
      'qeth/plan.ts:1 pure file imports qeth/helper.ts (not pure) at run time',
      'qeth/plan.ts:2 pure file imports host/sysfs.ts (not pure) at run time',
      'qeth/triple.ts:1 pure file imports host/sysfs.ts (not pure) at run time',
    ]);
  });

  it('fails I/O modules outside host/, however imported, and clock or process reads in pure files', () => {
    const violations = check({
      'cli/x.ts': "import {\n  readFileSync,\n} from 'node:fs';\nexport const cp = require('child_process');\nexport const x = readFileSync;\n",
      'qeth/plan.ts': 'export const stamp = () => [Date.now(), new Date(), Math.random(), process.env.HOME];\n',
    });
    expect(violations.map((v) => `${v.file}:${v.line} ${v.rule}`)).toEqual([
      'cli/x.ts:1 imports node:fs: only src/host/ may do I/O',
      'cli/x.ts:4 imports child_process: only src/host/ may do I/O',
      'qeth/plan.ts:1 pure file reads Date.now()',
      'qeth/plan.ts:1 pure file reads new Date()',
      'qeth/plan.ts:1 pure file reads Math.random()',
      'qeth/plan.ts:1 pure file reads process',
    ]);
  });

  it('fails a folder cycle made by a type import (host ↔ install)', () => {
    const violations = check({
      'install/apply.ts': "import type { Sysfs } from '../host/host.js';\nexport type A = Sysfs;\n",
      'host/image-fs.ts': "import type { A } from '../install/apply.js';\nexport type B = A;\n",
    });
    expect(violations).toEqual([{ file: 'host', line: 0, rule: 'folder cycle host → install → host' }]);
  });
});
