// The ccw device ids qeth's ccw driver binds to (qeth_ids, reference qeth §1.3) and what each card type implies.

export interface QethCardType {
  /** The kernel's card type: OSD (OSA-Express QDIO), IQD (HiperSockets), OSM, OSX. */
  kind: 'OSD' | 'IQD' | 'OSM' | 'OSX';
  /** What the group's `card_type` attribute prints. */
  cardType: string;
  /** CHPID type code in css0/chp0.<id>/type. */
  chpidType: string;
  /** register_netdev name pattern: hsi%d for HiperSockets, eth%d (alloc_etherdev) otherwise (§2.4). */
  pattern: 'eth%d' | 'hsi%d';
  /** OSM is forced to layer 2 at group time (qeth_enforce_discipline, §2.2). */
  enforcedLayer?: 0 | 1;
  /** OSM/OSX: "you cannot set your own MAC addresses" (§5). */
  macFixed: boolean;
  /** Default buffer_count: QETH_IN_BUF_COUNT_DEFAULT 64, HiperSockets 128 (§2.1). */
  bufferCount: number;
}

const TYPES: Record<string, QethCardType> = {
  '1731/01 1732/01': { kind: 'OSD', cardType: 'OSD_10GIG', chpidType: '11', pattern: 'eth%d', macFixed: false, bufferCount: 64 },
  '1731/05 1732/05': { kind: 'IQD', cardType: 'HiperSockets', chpidType: '24', pattern: 'hsi%d', macFixed: false, bufferCount: 128 },
  '1731/02 1732/03': { kind: 'OSM', cardType: 'OSM_1000', chpidType: '31', pattern: 'eth%d', enforcedLayer: 1, macFixed: true, bufferCount: 64 },
  '1731/02 1732/02': { kind: 'OSX', cardType: 'OSX_10GIG', chpidType: '30', pattern: 'eth%d', macFixed: true, bufferCount: 64 },
};

/** The card type of a ccw device qeth binds, or undefined when qeth_ids does not list it. */
export function qethCardType(cutype: string, devtype: string): QethCardType | undefined {
  return TYPES[`${cutype} ${devtype}`];
}

/** The devtype that goes with a qeth cutype when a fixture names only the cutype. */
export function defaultDevtype(cutype: string): string {
  return { '1731/01': '1732/01', '1731/05': '1732/05', '1731/02': '1732/03' }[cutype] ?? 'n/a';
}
