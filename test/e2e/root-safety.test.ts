// DESIGN §2: a run with --root other than / never changes the live host. The bundle as a process, for real (no
// --dry-run): the host's own `ip` is refused with exit 2; a stand-in `ip` on PATH runs instead.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGroupedLpar } from '../helpers/grouped-lpar.js';
import { runBundle } from '../helpers/run-bundle.js';

const MAC = '0a:00:00:00:00:11';
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('--root other than /', () => {
  it("refuses the host's ip (exit 2, naming the program and its path) and changes nothing", async () => {
    const { root } = makeGroupedLpar(1, { online: '1' });
    const run = await runBundle(['--root', root, 'qeth', '--cmdline', '0001,0,0a0000000011;'], { env: { PATH: SYSTEM_PATH } });
    expect(run.stderr).toMatch(/refusing to run ip \((\/usr)?\/s?bin\/ip( → \/\S+)?\): it would act on this live machine/);
    expect(run.code).toBe(2);
    expect(readFileSync(join(root, 'sys/class/net/enc1/address'), 'utf8')).toBe('02:00:00:00:00:01\n');
  });

  it("refuses a stand-in that is only a link to the host's ip", async () => {
    const { root } = makeGroupedLpar(1, { online: '1' });
    const bin = join(root, 'bin-links');
    mkdirSync(bin);
    symlinkSync('/usr/bin/ip', join(bin, 'ip'));
    const run = await runBundle(['--root', root, 'qeth', '--cmdline', '0001,0,0a0000000011;'], { env: { PATH: bin } });
    expect(run.stderr).toMatch(/refusing to run ip/);
    expect(run.code).toBe(2);
  });

  it('runs a stand-in ip found on PATH outside the system directories', async () => {
    const { root } = makeGroupedLpar(1, { online: '1' });
    const bin = join(root, 'fake-bin');
    mkdirSync(bin);
    // Acts on the tree it lives in (the child gets only PATH and LC_ALL): ip link set dev <if> address <mac>.
    writeFileSync(
      join(bin, 'ip'),
      `#!${process.execPath}\nconst [, , , , , ifname, , mac] = process.argv;\nrequire('fs').writeFileSync(require('path').join(__dirname, '../sys/class/net', ifname, 'address'), mac + '\\n');\n`,
    );
    chmodSync(join(bin, 'ip'), 0o755);
    const run = await runBundle(['--root', root, 'qeth', '--cmdline', '0001,0,0a0000000011;'], { env: { PATH: `${bin}:${SYSTEM_PATH}` } });
    expect(run.stderr).not.toMatch(/refusing/);
    expect(readFileSync(join(root, 'sys/class/net/enc1/address'), 'utf8')).toBe(`${MAC}\n`);
    expect(run.code, run.stderr).toBe(0);
  });
});
