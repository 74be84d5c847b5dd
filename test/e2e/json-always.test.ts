// --json prints exactly one JSON document on stdout for every run (DESIGN §2), failed runs included: the built
// bundle as a process, stdout parsed whole (one document, nothing else), its exitCode equal to the process's.
import { describe, expect, it } from 'vitest';
import { makeStaticLpar } from '../helpers/static-lpar.js';
import { runBundle } from '../helpers/run-bundle.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

describe('--json on every run', () => {
  it.each([
    ['an unknown option', ['qeth', '--frob', '--json'], 2, 'qeth', /^unknown option '--frob'/],
    ['a bad setmac argument', ['--json', 'setmac', 'not/an/interface'], 2, 'setmac', /is not an interface name, a bus id/],
    ['a bad --log-level', ['--json', '--log-level', 'loud', 'show'], 2, 'show', /loud/],
    ['no command', ['--json'], 2, null, /^no command given$/],
    ['a --vendor-data file that is missing', ['--json', 'sriov', '--vendor-data', '/nonexistent/vendor_data2.json'], 3, 'sriov', /\/nonexistent\/vendor_data2\.json/],
  ])('%s: one document {command, exitCode, error}', async (_name, args, code, command, error) => {
    const run = await runBundle(args);
    expect(run.code).toBe(code);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command, exitCode: code });
    expect(doc.error).toMatch(error);
  });

  it('an unreadable /proc/cmdline (exit 3), with --dry-run given after the command', async () => {
    const run = await runBundle(['qeth', '--json', '--dry-run', '--root', makeTmpRoot()]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({ command: 'qeth', dryRun: true, exitCode: 3, error: expect.stringMatching(/^cannot read \/proc\/cmdline/) });
  });

  it('does not take the value of --cmdline for the flag', async () => {
    const root = makeStaticLpar({ visible: [] });
    const run = await runBundle(['qeth', '--root', root, '--dry-run', '--cmdline', '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^\{/);
  });

  it('a successful run carries exitCode too, show included', async () => {
    const root = makeStaticLpar({ visible: [], cmdline: 'root=/dev/dasda1' });
    for (const command of ['qeth', 'show']) {
      const run = await runBundle([command, '--json', '--dry-run', '--root', root]);
      expect({ command, code: run.code, exitCode: JSON.parse(run.stdout).exitCode }).toEqual({ command, code: 0, exitCode: 0 });
    }
  });
});
