// Preloaded (`node --require`) by the benchmark's memory probe: the kernel's peak RSS for the agent process at
// exit, so the production bundle itself stays unchanged.
process.on('exit', () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`));
