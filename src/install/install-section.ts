// Reads a unit file's [Install] section the way `systemctl enable` uses it (pure).

/** The dependency directories a unit's [Install] section asks for: `sysinit.target.wants`, … */
export function enableDirectories(unitText: string): string[] {
  const dirs: string[] = [];
  let section = '';
  for (const raw of unitText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const match = /^(WantedBy|RequiredBy)\s*=\s*(.*)$/.exec(line);
    if (section !== 'Install' || !match) continue;
    const suffix = match[1] === 'WantedBy' ? 'wants' : 'requires';
    for (const target of match[2]!.split(/\s+/).filter(Boolean)) dirs.push(`${target}.${suffix}`);
  }
  return dirs;
}
