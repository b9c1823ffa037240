// `memory/rss_mb`, on every metrics event of the trainer: the process's peak resident set size so
// far, in MiB (2^20 bytes). Node's resourceUsage().maxRSS is getrusage's ru_maxrss in KiB on every
// platform (libuv converts macOS's bytes). A peak, not the current use: it never goes down, so one
// series runs through SFT, RL and evaluation.
export const PEAK_RSS_METRIC = 'memory/rss_mb';

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
