// Debian 12: the element installs Debian's own nodejs (18.20, the floor) and the agent runs on it.
import { describeElementsBuild } from './elements-suite.js';
import { RELEASES } from './debian-root.js';

describeElementsBuild({
  release: RELEASES.bookworm,
  title: "Debian's own Node 18",
  settings: async () => ({}),
  interpreter: '/usr/bin/node',
  nodeVersion: /^v18\.(19|[2-9]\d)\.\d+$/,
  udev: true,
});
