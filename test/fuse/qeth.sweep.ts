// Crash and error sweeps for qeth through the FUSE model: 12 NICs, some hidden by cio_ignore, some grouped at boot.
import { describe, expect, it } from 'vitest';
import { osaTriple, preGrouped, preOnline } from '../sim/scenario.js';
import { fuseSkipReason, useFuseModel } from './harness.js';
import type { Step } from './model-server.js';
import type { SweepCase } from './sweep.js';
import { crashSweep, errorSweep, report } from './sweep.js';

const skip = fuseSkipReason();
/** GBA_SWEEP_K=3,17: only those k's (to look at one failure). */
const only = process.env.GBA_SWEEP_K?.split(',').map(Number);
const READS = Array.from({ length: 12 }, (_, i) => (1 + 3 * i).toString(16).padStart(4, '0'));
const busId = (devno: string) => `0.0.${devno}`;

/** 0001 grouped offline at boot, 0004 grouped and online with the wanted settings, 0019–0024 hidden by cio_ignore. */
const QETH: SweepCase = {
  machine: {
    devices: READS.map((read) => {
      if (read === '0001') return osaTriple(read, { group: preGrouped({ portno: 0 }) });
      if (read === '0004') return osaTriple(read, { group: preOnline({ portno: 1, layer2: 1 }) });
      return osaTriple(read);
    }),
    moduleLoaded: true,
    ignored: ['0.0.0019-0.0.0024'],
    onlineLatencyMs: 20,
  },
  args: ['qeth', '--cmdline', READS.map((read) => `${read},${read === '0004' ? 1 : 0};`).join('')],
};

/** The read devices a step concerns; all of them for a shared one (cio_ignore, cio_settle, modprobe). */
function devicesOf(step: Step): string[] {
  const inPath = /\/(0\.0\.[0-9a-f]{4})\//.exec(step.target)?.[1];
  if (inPath) return [inPath];
  const group = step.value?.split(',')[0];
  if (step.target.endsWith('/group') && group) return [group];
  return READS.map(busId);
}

describe.skipIf(skip !== undefined)('qeth sweeps through the FUSE model', () => {
  const model = useFuseModel(skip);

  it('recovers from a SIGKILL after every write: exactly the clean state, then nothing to do', async () => {
    const { n, failures } = await crashSweep(model, QETH, only);
    console.info(`qeth crash sweep: ${n - new Set(failures.map((f) => f.k)).size}/${n} k's pass`);
    expect(report(failures)).toBe('');
  });

  it('fails one write at a time: exit 1 naming it, the other devices configured, a re-run converges', async () => {
    const { n, failures } = await errorSweep(model, QETH, {
      named: (step) => devicesOf(step).length === 1 ? devicesOf(step) : ['qeth', 'cio_ignore', 'cio_settle', '0.0.'],
      independent: (step, dump) => {
        const involved = devicesOf(step);
        const down = READS.map(busId).filter((id) => !involved.includes(id) && !dump.includes(`/sys/devices/qeth/${id}/online = 1`));
        return down.length > 0 ? `${down.join(', ')} not online` : undefined;
      },
    }, only);
    console.info(`qeth error sweep: ${n - new Set(failures.map((f) => f.k)).size}/${n} k's pass`);
    expect(report(failures)).toBe('');
  });
});
