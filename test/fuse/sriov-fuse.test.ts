// sriov with the production bundle on the modelled mlx5 served through FUSE: virtfn/physfn/driver links, the
// numvfs write that creates directories, binds through mlx5_core/bind, and (inbox) `ip link set … vf …` as a
// program on PATH acting on the same model.
import { mkdtemp, readlink, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mlx5Pf, vendorDataFor } from '../sim/sriov-scenario.js';
import { fuseSkipReason, useFuseModel } from './harness.js';

const skip = fuseSkipReason();
const PF = '0000:01:00.0';
const PORT = '04bd700300374486';
const VFS = ['fefeab03004f86b9', 'fefe2b03002a5777'];

describe.skipIf(skip !== undefined).each(['ofed', 'inbox'] as const)('sriov through the FUSE model (%s)', (mode) => {
  const model = useFuseModel(skip);

  it('creates, configures and binds the VFs; the links are real symlinks; autoprobe is restored', async () => {
    const kernel = model.boot({ devices: [], sriov: { pfs: [mlx5Pf(PF, { portGuid: PORT, totalVfs: 8, mode })], timing: { probeMs: 30 } } });
    const vendor = join(await mkdtemp(join(tmpdir(), 'gba-vendor-')), 'vendor_data2.json');
    await writeFile(vendor, JSON.stringify(vendorDataFor({ [PORT]: VFS })));
    const run = await model.run(['sriov', '--vendor-data', vendor]);
    expect(run.stderr).toContain(`<6>${PF}: VFs configured`);
    expect(run.code).toBe(0);
    const view = kernel.pf(PF)!;
    expect({ numVfs: view.numVfs, autoprobe: view.autoprobe }).toEqual({ numVfs: 2, autoprobe: true });
    expect(view.vfs.map(({ driver, node, port, seenNode, seenPort, override }) => ({ driver, node, port, seenNode, seenPort, override }))).toEqual(
      VFS.map((guid) => ({ driver: 'mlx5_core', node: guid, port: guid, seenNode: guid, seenPort: guid, override: null })),
    );
    const devices = join(model.mount.root, 'sys/bus/pci/devices');
    expect(await readlink(join(devices, PF, 'virtfn1'))).toBe('../0000:01:00.2');
    expect(await readlink(join(devices, '0000:01:00.2/physfn'))).toBe(`../${PF}`);
    expect(await readdir(join(devices, '0000:01:00.1/net'))).toHaveLength(1);
    const ipRuns = model.server.steps.filter((step) => step.kind === 'exec' && step.target.startsWith('ip link set'));
    expect(ipRuns).toHaveLength(mode === 'inbox' ? 2 : 0);
  });
});
