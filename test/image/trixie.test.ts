// Debian 13: the element installs Debian's own nodejs (20) and the agent runs on it.
import { describeElementsBuild } from './elements-suite.js';
import { RELEASES } from './debian-root.js';

describeElementsBuild({
  release: RELEASES.trixie,
  title: "Debian's own Node 20",
  settings: async () => ({}),
  interpreter: '/usr/bin/node',
  nodeVersion: /^v20\.\d+\.\d+$/,
  udev: true,
});
