// Prints `systemd-analyze security --offline` exposure for each shipped unit, as installed by the built bundle
// into a scratch root: the figures the README keeps. Run: npm run build && node scripts/unit-security.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UNITS = ['guest-boot-agent-qeth.service', 'guest-boot-agent-setmac@enc1.service', 'guest-boot-agent-sriov.service'];
const bundle = fileURLToPath(new URL('../dist/guest-boot-agent.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'gba-security-'));
try {
  execFileSync(process.execPath, [bundle, '--root', root, '--log-level', 'error', 'install'], { stdio: 'inherit' });
  const version = execFileSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  console.log(`| unit | exposure (${version}) |\n| --- | --- |`);
  for (const unit of UNITS) {
    const run = spawnSync('systemd-analyze', ['security', '--offline=yes', `--root=${root}`, '--no-pager', unit], { encoding: 'utf8' });
    const exposure = /Overall exposure level for \S+: (\d+\.\d) (\S+)/.exec(`${run.stdout}${run.stderr}`);
    console.log(`| \`${unit}\` | ${exposure ? `${exposure[1]} ${exposure[2]}` : `? (${run.stderr.trim()})`} |`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
