// Scenario builders for the benchmark: simulated machines and the inputs that exercise them.

/** `nics` OSA triples with `onlineMs` online latency, and the cmdline naming them (no MACs: no rename wait). */
export function qethScenario(nics, onlineMs) {
  const reads = Array.from({ length: nics }, (_, i) => 1 + 3 * i);
  const devices = reads.flatMap((read) => [0, 1, 2].map((k) => ({ busId: `0.0.${(read + k).toString(16).padStart(4, '0')}` })));
  const cmdline = reads.map((read) => `${read.toString(16).padStart(4, '0')},0;`).join('');
  return { scenario: { qeth: { devices, moduleLoaded: true, onlineLatencyMs: onlineMs } }, cmdline };
}

/** Realistic mlx5 timings (reference sriov §1.6): the numvfs write ~1 s (ENABLE_HCA per VF + the core's 100 ms),
 * a VF probe by mlx5_core ~50 ms; VF probes of different VFs run concurrently (no shared lock in bind_store). */
const ENABLE_MS = 1000;
const PROBE_MS = 50;
/** s390x (zPCI): VFs arrive by hotplug after the write returns; ConnectX-6 Lx took 4.5 s for 16 VFs in all. */
const S390_APPEAR_MS = 220;

const hex = (value, width) => value.toString(16).padStart(width, '0');
const portGuid = (pf) => `04bd7003003744${hex(0x80 + pf, 2)}`;
const vfGuid = (pf, k) => `fefe${hex(pf, 2)}0300${hex(k, 6)}`;

/** One fresh PF per entry of `vfCounts` (mode, timing), and the vendor data asking for that many VFs on each. */
function sriovMachine(vfCounts, mode, timing) {
  const pfs = vfCounts.map((_, pf) => ({ address: `0000:${hex(pf + 1, 2)}:00.0`, portGuid: portGuid(pf), totalVfs: 32, mode }));
  const vendorData = {
    mlnx_sriov: {
      enable_sriov: true,
      physical_guids: vfCounts.map((_, pf) => portGuid(pf)),
      virtual_guids: vfCounts.map((n, pf) => Array.from({ length: n }, (_, k) => vfGuid(pf, k))),
    },
  };
  return { scenario: { sriov: { pfs, timing } }, vendorData };
}

/** SR-IOV cases: fresh PFs with every wait a real adapter has. unavoidableMs is what no agent can avoid: one numvfs
 * write per PF (PFs concurrently), the VFs' appearance where it is asynchronous, then one probe (VFs concurrently). */
export function sriovCases() {
  const timing = { enableMs: ENABLE_MS, probeMs: PROBE_MS };
  return [
    {
      name: 'sriov-16',
      title: `sriov, 16 VFs on one PF, OFED (numvfs ${ENABLE_MS} ms, probe ${PROBE_MS} ms)`,
      ...sriovMachine([16], 'ofed', timing),
      unavoidableMs: ENABLE_MS + PROBE_MS,
    },
    {
      name: 'sriov-2x8',
      title: `sriov, 2 × 8 VFs on two PFs, inbox/ip (numvfs ${ENABLE_MS} ms, probe ${PROBE_MS} ms)`,
      ...sriovMachine([8, 8], 'inbox', timing),
      unavoidableMs: ENABLE_MS + PROBE_MS,
      /** Without MLNX_OFED's files the GUIDs go through rtnetlink, i.e. one `ip` process per VF. */
      programRuns: 16,
    },
    {
      name: 'sriov-16-s390x',
      title: `sriov, 16 VFs on one PF, s390x hotplug (VF k after (k+1) × ${S390_APPEAR_MS} ms)`,
      ...sriovMachine([16], 'inbox', { ...timing, vfAppearMs: S390_APPEAR_MS }),
      unavoidableMs: ENABLE_MS + 16 * S390_APPEAR_MS + PROBE_MS,
    },
  ];
}
