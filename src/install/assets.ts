// What `install` puts into an image: the unit files and the udev rule, embedded at build time from
// systemd/ and udev/ (one source of truth), and where each goes.
import qethUnit from '../../systemd/guest-boot-agent-qeth.service';
import setmacUnit from '../../systemd/guest-boot-agent-setmac@.service';
import sriovUnit from '../../systemd/guest-boot-agent-sriov.service';
import setmacRule from '../../udev/81-guest-boot-agent.rules';

export const BIN_PATH = '/usr/bin/guest-boot-agent';
export const UNIT_DIR = '/usr/lib/systemd/system';
export const RULES_DIR = '/usr/lib/udev/rules.d';
/** Where enablement symlinks and masks live (systemctl enable writes here). */
export const ADMIN_UNIT_DIR = '/etc/systemd/system';

export const FEATURE_IDS = ['qeth', 'setmac', 'sriov'] as const;
export type FeatureId = (typeof FEATURE_IDS)[number];

/** One installable feature: its unit, and for setmac the udev rule that starts it. */
export interface Feature {
  id: FeatureId;
  unit: { name: string; text: string };
  rule?: { name: string; text: string };
}

export const FEATURES: readonly Feature[] = [
  { id: 'qeth', unit: { name: 'guest-boot-agent-qeth.service', text: qethUnit } },
  { id: 'setmac', unit: { name: 'guest-boot-agent-setmac@.service', text: setmacUnit }, rule: { name: '81-guest-boot-agent.rules', text: setmacRule } },
  { id: 'sriov', unit: { name: 'guest-boot-agent-sriov.service', text: sriovUnit } },
];
