// Bench section `server-bounds` (issue 19): /health latency while a worst-case request at the body
// limit (16 MiB) is being scored, and how long that request takes to end. Targets: /health p99
// ≤ 100 ms, a bad request ends in ≤ 2 s.
//
// The server runs in a child process (`stepgrpo serve`); this process sends one worst-case request
// and, on a second connection, GET /health in a closed loop until the request ends. Shapes: one
// chain of nested `\frac{1}{…}` (r1vl-official; the backtracking regex held the loop 189 s at
// 1.1 MB), `\boxed{1} and ` repeated (21 s at 62 k), an 8 M-deep JSON array (16.5 s), and a batch of
// nested-`\frac` chains each at the text-length limit (valid work: scored, not refused).
import http from 'node:http';
import type { BenchRow, BenchSection } from '../bench-section';
import { quantile } from '../bench-section';
import { startServeProcess } from '../../support/serve-process';
import { DEFAULT_MAX_TEXT_CHARS } from '../../../src/server/score-items';

const BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The worst-case body goes over a keep-alive connection, as trainers send it: the server then drains
 * a body it refused early and the reply is read; with `Connection: close` (no agent) it closes the
 * socket after replying and the client, still writing, may see the reset before the reply.
 */
const keepAlive = new http.Agent({ keepAlive: true });

function send(url: string, method: string, path: string, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, agent: body ? keepAlive : false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `piece` repeated to fill `bytes` of JSON (escaping makes a backslash two bytes). */
const fill = (piece: string, bytes: number): string => piece.repeat(Math.floor(bytes / (JSON.stringify(piece).length - 2)));
const chainBody = (completion: string): string => JSON.stringify({ completion, answer: '1', preset: 'r1vl-official' });

const SHAPES: Record<string, () => string> = {
  nested_frac: () => chainBody(`### The final answer is: $${fill('\\frac{1}{', BODY_LIMIT - 200)}$`),
  boxed_and: () => chainBody(fill('\\boxed{1} and ', BODY_LIMIT - 200)),
  deep_array: () => `${'['.repeat(BODY_LIMIT / 2)}${']'.repeat(BODY_LIMIT / 2)}`,
  batch_at_text_limit: () => {
    const completion = `$${'\\frac{1}{'.repeat(Math.floor((DEFAULT_MAX_TEXT_CHARS - 2) / 9))}$`;
    const count = Math.floor((BODY_LIMIT - 100) / (JSON.stringify(completion).length + 60));
    return JSON.stringify({ items: Array.from({ length: count }, () => ({ completion, answer: '1', preset: 'r1vl-official' })) });
  },
};

/** Sends `body`, polls /health until the reply comes, returns the status, its time and the health latencies. */
async function underLoad(url: string, body: Buffer): Promise<{ status: number; ms: number; health: number[] }> {
  const path = body.subarray(0, 8).toString() === '{"items"' ? '/score_batch' : '/score';
  const started = performance.now();
  let done = false;
  const request = send(url, 'POST', path, body).finally(() => (done = true));
  const health: number[] = [];
  while (!done) {
    const t = performance.now();
    await send(url, 'GET', '/health');
    health.push(performance.now() - t);
  }
  const status = await request;
  return { status, ms: performance.now() - started, health };
}

const section: BenchSection = {
  name: 'server-bounds',
  async run() {
    const { child, url } = await startServeProcess([]);
    const rows: BenchRow[] = [];
    try {
      for (const [name, build] of Object.entries(SHAPES)) {
        // Encoded before the clock starts: this process also polls /health.
        const body = Buffer.from(build());
        const { status, ms, health } = await underLoad(url, body);
        rows.push({
          key: `server_bounds.${name}.request_ms`,
          value: Math.round(ms),
          note: `HTTP ${status}, ${(body.length / 2 ** 20).toFixed(1)} MiB body (target ≤ 2000 ms for a refused request)`,
        });
        rows.push({
          key: `server_bounds.${name}.health_p99_ms`,
          value: Math.round(quantile(health, 0.99) * 10) / 10,
          note: `GET /health while it ran: ${health.length} requests, max ${Math.max(...health).toFixed(1)} ms (target p99 ≤ 100 ms)`,
        });
      }
      return rows;
    } finally {
      keepAlive.destroy();
      child.kill('SIGTERM');
    }
  },
};

export default section;
