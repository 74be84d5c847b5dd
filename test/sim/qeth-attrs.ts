// The group device's attributes (qeth_core_sys.c and ccwgroup core; reference qeth §1.4, §2.1). Order of checks
// matters and follows the kernel: value parsing and fixed limits first, then the card lock, then "offline only"
// (EPERM), then the limits that depend on the card.
import { Errno } from './errno.js';
import { kstrtobool, kstrtouint } from './kstrto.js';
import type { QethCard } from './qeth-card.js';
import type { Vfs } from './vfs.js';

const QETH_MAX_PORTNO = 15;
const QETH_IN_BUF_COUNT_MIN = 8;
const QETH_IN_BUF_COUNT_MAX = 128;

/** Creates the attribute files of `card` in its device directory; `ungroup` removes the whole device. */
export function addGroupAttributes(vfs: Vfs, card: QethCard, ungroup: () => void): void {
  const dir = card.path;
  vfs.attr(`${dir}/online`, { read: () => (card.online ? '1\n' : '0\n'), write: (value) => card.onlineStore(value) });
  // Write-only (0200); any content works, chzdev writes "\n" (§1.5).
  vfs.attr(`${dir}/ungroup`, { write: ungroup });
  vfs.attr(`${dir}/layer2`, { read: () => `${card.layer2}\n`, write: (value) => storeLayer2(card, value) });
  vfs.attr(`${dir}/portno`, { read: () => `${card.portno}\n`, write: (value) => storePortno(card, value) });
  vfs.attr(`${dir}/buffer_count`, { read: () => `${card.bufferCount}\n`, write: (value) => storeBufferCount(card, value) });
  // Deprecated: reads a fixed text, accepts and ignores anything.
  vfs.attr(`${dir}/portname`, { read: () => 'no portname required\n', write: () => undefined });
  vfs.attr(`${dir}/recover`, { write: (value) => storeRecover(card, value) });
  vfs.attr(`${dir}/state`, { read: () => `${card.state}\n` });
  vfs.attr(`${dir}/chpid`, `${card.members[0]!.chpid.toUpperCase()}\n`);
  vfs.attr(`${dir}/card_type`, `${card.type.cardType}\n`);
  // netdev_name() says "(unnamed net_device)" while the name is still a pattern, i.e. before the first online.
  vfs.attr(`${dir}/if_name`, { read: () => `${card.netdev?.name ?? '(unnamed net_device)'}\n` });
  vfs.attr(`${dir}/inbuf_size`, '64k\n');
}

/** qeth_dev_layer2_store: base 16, 0/1 only (before the lock); EPERM unless offline; same value is a no-op;
 * EOPNOTSUPP when the layer is enforced; a switch drops the interface (§2.2). */
async function storeLayer2(card: QethCard, value: string): Promise<void> {
  const layer = kstrtouint(value, 16);
  if (layer !== 0 && layer !== 1) throw new Errno('EINVAL', `layer2 takes 0 or 1, not ${JSON.stringify(value)}`);
  await card.confLock.run(() => {
    if (card.online) throw new Errno('EPERM', 'layer2 can only be changed while offline');
    if (card.layer2 === layer) return;
    if (card.enforcedLayer !== undefined) throw new Errno('EOPNOTSUPP', `the layer is fixed at ${card.enforcedLayer}`);
    if (card.layer2 !== -1) card.removeDiscipline();
    card.setupDiscipline(layer);
  });
}

/** qeth_dev_portno_store: base 16; > 15 EINVAL before the state check; EPERM online; > port count − 1 EINVAL. */
async function storePortno(card: QethCard, value: string): Promise<void> {
  const portno = kstrtouint(value, 16);
  if (portno > QETH_MAX_PORTNO) throw new Errno('EINVAL', `portno ${portno} exceeds ${QETH_MAX_PORTNO}`);
  await card.confLock.run(() => {
    if (card.online) throw new Errno('EPERM', 'portno can only be changed while offline');
    const limit = card.portCount ? card.portCount - 1 : 0;
    if (portno > limit) throw new Errno('EINVAL', `the adapter has ${card.portCount} port(s)`);
    card.portno = portno;
  });
}

/** qeth_dev_bufcnt_store: base 10; EPERM online; silently clamped to 8..128. */
async function storeBufferCount(card: QethCard, value: string): Promise<void> {
  const count = kstrtouint(value, 10);
  await card.confLock.run(() => {
    if (card.online) throw new Errno('EPERM', 'buffer_count can only be changed while offline');
    card.bufferCount = Math.min(QETH_IN_BUF_COUNT_MAX, Math.max(QETH_IN_BUF_COUNT_MIN, count));
  });
}

/** qeth_dev_recover_store: kstrtobool; recovery needs an online card (EPERM otherwise) and then just succeeds. */
async function storeRecover(card: QethCard, value: string): Promise<void> {
  if (!kstrtobool(value)) return;
  if (!card.online) throw new Errno('EPERM', 'recovery needs an online card');
}
