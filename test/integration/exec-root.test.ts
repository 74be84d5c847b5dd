// The exec of a host on another root (DESIGN §2): no system directories appended to PATH, and the live host's
// ip/modprobe/mount/umount/blkid refused. Real programs, real PATH search.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createExec, searchPath } from '../../src/host/exec.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

const opts = { timeoutMs: 5000 };

function standIn(dir: string, name: string, output: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(output)});\n`);
  chmodSync(join(dir, name), 0o755);
}

describe('exec on a root other than /', () => {
  it.for(['ip', 'modprobe', 'mount', 'umount', 'blkid'])("refuses the live system's %s with a message naming it", async (program, ctx) => {
    // kmod (modprobe) is not on every build machine; what is not there cannot be refused.
    if (!['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((dir) => existsSync(join(dir, program)))) ctx.skip();
    const exec = createExec(makeTmpRoot(), '/usr/sbin:/usr/bin:/sbin:/bin');
    const error = await exec(program, ['--version'], opts).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    // The path found on PATH, and where it leads when it is a link (/usr/sbin/modprobe → /usr/bin/kmod).
    expect((error as Error).message).toMatch(new RegExp(`^refusing to run ${program} \\(/\\S+/${program}( → /\\S+)?\\)`));
  });

  it('runs a stand-in found first on PATH, and other programs from anywhere', async () => {
    const root = makeTmpRoot();
    standIn(join(root, 'bin'), 'modprobe', 'stand-in');
    const exec = createExec(root, `${join(root, 'bin')}:/usr/sbin:/usr/bin:/sbin:/bin`);
    expect(await exec('modprobe', ['-a', 'qeth'], opts)).toMatchObject({ exitCode: 0, stdout: 'stand-in' });
    expect(await exec('printf', ['%s', 'x'], opts)).toMatchObject({ exitCode: 0, stdout: 'x' });
  });

  it('does not append the system directories to PATH', async () => {
    const exec = createExec(makeTmpRoot(), '/nonexistent');
    await expect(exec('printf', ['x'], opts)).rejects.toMatchObject({ code: 'ENOENT' });
    // On "/" they are appended (a udev environment lacks /usr/sbin).
    expect(await createExec('/', '/nonexistent')('printf', ['%s', 'y'], opts)).toMatchObject({ stdout: 'y' });
    expect(searchPath('/nonexistent')).toBe('/nonexistent:/usr/sbin:/sbin:/usr/bin:/bin');
  });
});
