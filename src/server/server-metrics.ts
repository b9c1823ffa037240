// Request counters and latency percentiles for `GET /metrics`. Latencies live in a fixed ring of
// the most recent requests, so memory stays bounded and the percentiles follow current load.
import type { LatencySummary } from '../protocol/reward-server';

const WINDOW = 8192;

export class ServerMetrics {
  private readonly started = Date.now();
  private readonly latencies = new Float64Array(WINDOW);
  private recorded = 0;
  requests = 0;
  chainsScored = 0;
  chainsFailed = 0;
  replayed = 0;
  /** Batches being scored right now (more than 0 in a reply proves the loop is not blocked). */
  scoringNow = 0;
  readonly byRoute: Record<string, number> = {};
  readonly byStatus: Record<string, number> = {};

  record(route: string, status: number, ms: number): void {
    this.requests++;
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    this.latencies[this.recorded % WINDOW] = ms;
    this.recorded++;
  }

  get uptimeSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  latency(): LatencySummary {
    const n = Math.min(this.recorded, WINDOW);
    const sorted = this.latencies.slice(0, n).sort();
    const at = (q: number): number => (n === 0 ? 0 : round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!));
    return { count: n, p50_ms: at(0.5), p90_ms: at(0.9), p99_ms: at(0.99), max_ms: n === 0 ? 0 : round(sorted[n - 1]!) };
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
