// Crash and error sweeps for sriov through the FUSE model: two named PFs and a foreign one (another tenant's
// Mellanox PF, never touched), with the OFED and the inbox driver, with autoprobe already 0 at start, and with VFs
// that see a stale GUID and need a rebind.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Mlx5Mode } from '../sim/pci-spec.js';
import type { Mlx5PfSpec, VfPreset } from '../sim/sriov-scenario.js';
import { PF_A, PF_B, PORT_A, PORT_B, STALE, VFS_A, VFS_B, mlx5Pf, vendorDataFor } from '../sim/sriov-scenario.js';
import { fuseSkipReason, useFuseModel } from './harness.js';
import type { Step } from './model-server.js';
import type { SweepCase } from './sweep.js';
import { crashSweep, errorSweep, report } from './sweep.js';

const skip = fuseSkipReason();
/** GBA_SWEEP_K=3,17: only those k's (to look at one failure). */
const only = process.env.GBA_SWEEP_K?.split(',').map(Number);

const FOREIGN = '0000:03:00.0';

const vendorFile = join(mkdtempSync(join(tmpdir(), 'gba-sweep-')), 'vendor_data2.json');
writeFileSync(vendorFile, JSON.stringify(vendorDataFor({ [PORT_A]: VFS_A, [PORT_B]: VFS_B })));

type Variant = 'fresh' | 'autoprobe 0' | 'rebind';

function sriovCase(mode: Mlx5Mode, variant: Variant): SweepCase {
  const pf = (address: string, portGuid: string, extra: Partial<Mlx5PfSpec> = {}) => mlx5Pf(address, { portGuid, totalVfs: 8, mode, ...extra });
  const autoprobe = variant === 'autoprobe 0' ? { autoprobe: false } : {};
  // Right GUIDs in firmware, but the bound VF still sees the one it was probed with: only a rebind fixes it.
  const stale = (guids: string[]): VfPreset[] => guids.map((guid) => ({ guid, policy: 'Follow', seenGuid: STALE }));
  const foreignVfs: VfPreset[] = [{ guid: 'fefe2200000000b1', seenGuid: STALE }];
  return {
    machine: {
      devices: [],
      sriov: {
        pfs: [
          pf(PF_A, PORT_A, { ...autoprobe, ...(variant === 'rebind' ? { vfs: stale(VFS_A) } : {}) }),
          pf(PF_B, PORT_B, autoprobe),
          pf(FOREIGN, '04bd700300374488', { vfs: foreignVfs }),
        ],
      },
    },
    args: ['sriov', '--vendor-data', vendorFile],
    pfs: [PF_A, PF_B, FOREIGN],
  };
}

/** The PF a step concerns (VF addresses 0000:01:00.x belong to PF 0000:01:00.0); undefined when shared. */
function pfOf(step: Step): string | undefined {
  const text = `${step.target} ${step.value ?? ''}`;
  if (text.includes('0000:01:') || text.includes(' ib0 ')) return PF_A;
  if (text.includes('0000:02:') || text.includes(' ib1 ')) return PF_B;
  return undefined;
}

/** The other PF's lines of the clean dump must all be there: it was configured although this one failed. */
function otherPfConfigured(step: Step, dump: string[], clean: string[]): string | undefined {
  const failedPf = pfOf(step);
  if (!failedPf) return undefined;
  const other = failedPf === PF_A ? PF_B : PF_A;
  const want = clean.filter((line) => line.startsWith(`pf ${other}`));
  const missing = want.filter((line) => !dump.includes(line));
  return missing.length > 0 ? `${other}: ${missing.join(' ').slice(0, 300)}` : undefined;
}

describe.skipIf(skip !== undefined).each(['ofed', 'inbox'] as const)('sriov sweeps through the FUSE model (%s)', (mode) => {
  const model = useFuseModel(skip);

  it.each(['fresh', 'autoprobe 0', 'rebind'] as const)('%s: recovers from a SIGKILL after every step: exactly the clean state, then nothing to do', async (variant) => {
    const { n, failures } = await crashSweep(model, sriovCase(mode, variant), only);
    console.info(`sriov ${mode} ${variant} crash sweep: ${n - new Set(failures.map((f) => f.k)).size}/${n} k's pass`);
    expect(report(failures)).toBe('');
  });

  it.each(['fresh', 'autoprobe 0', 'rebind'] as const)('%s: fails one step at a time: exit 1 naming it, the other PF configured, a re-run converges', async (variant) => {
    const { n, failures } = await errorSweep(
      model,
      sriovCase(mode, variant),
      { named: (step) => [pfOf(step) ?? '0000:0', ...(/0000:0\d:\d\d\.\d/.exec(step.target) ?? [])], independent: otherPfConfigured },
      only,
    );
    console.info(`sriov ${mode} ${variant} error sweep: ${n - new Set(failures.map((f) => f.k)).size}/${n} k's pass`);
    expect(report(failures)).toBe('');
  });
});
