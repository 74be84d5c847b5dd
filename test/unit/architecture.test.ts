// Enforces the functional core / imperative shell split: pure files import no I/O and read no clock.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../../src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const all = filesUnder(SRC).map((path) => relative(SRC, path));
const PURE = [/^cmdline\//, /^values\//, /\/paths\.ts$/, /\/plan\.ts$/, /\/setmac-plan\.ts$/, /\/setmac-target\.ts$/, /\/triple\.ts$/, /\/cio-ignore\.ts$/, /\/schema\.ts$/, /\/guid-layout\.ts$/, /^sriov\/backends\//, /^plan\/action\.ts$/, /^cli\/render.*\.ts$/, /^cli\/exit-code\.ts$/, /^lib\/limit\.ts$/, /^lib\/http-url\.ts$/, /^lib\/retry\.ts$/, /^sriov\/sources\/http-policy\.ts$/];
const pure = all.filter((file) => PURE.some((pattern) => pattern.test(file)) && !file.startsWith('host/'));
const FORBIDDEN_IMPORT = /from ['"](node:|fs|child_process|http|https|net|execa)|from ['"][./]+(host\/(?!host\.js)|log\.js|state\.js)/;
const FORBIDDEN_CALL = /\bDate\.now\(|new Date\(|Math\.random\(|\bprocess\./;

describe('architecture', () => {
  it('has pure files to check', () => {
    expect(pure.length).toBeGreaterThan(10);
  });

  it.each(pure)('%s imports no I/O module and reads no clock, randomness or process state', (file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    const imports = text.split('\n').filter((line) => /^import /.test(line) && FORBIDDEN_IMPORT.test(line));
    const calls = text.split('\n').filter((line) => !line.trim().startsWith('//') && FORBIDDEN_CALL.test(line));
    expect({ imports, calls }).toEqual({ imports: [], calls: [] });
  });

  it.each(all.filter((file) => !file.startsWith('host/')))('%s does not import fs, child_process or http directly (only src/host/ may)', (file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    expect(text.match(/from ['"](node:)?(fs|fs\/promises|child_process|http|https|net)['"]/g) ?? []).toEqual([]);
  });

  // host.exec(file, args) is the one door; a bare exec( would be child_process's string form.
  it('never uses a shell', () => {
    for (const file of all) {
      const text = readFileSync(join(SRC, file), 'utf8');
      expect({ file, hits: text.match(/shell:\s*true|['"]sh['"],\s*\[?['"]-c|execSync\(|(?<![.\w])exec\(\s*['"`]|execa(Command|Sync)\b|execa`/g) ?? [] }).toEqual({ file, hits: [] });
    }
  });
});
