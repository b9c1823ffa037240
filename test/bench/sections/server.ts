// Bench section `server` (DESIGN §11): requests per second and client-side latency of the HTTP
// reward server over loopback.
//
// The server runs in a child process (`stepgrpo serve` through tsx, as `npm run bench` runs
// everything else), so server and client do not share an event loop or a core. The client is this
// process: a keep-alive http.Agent with CONNECTIONS sockets, each with one request in flight at a
// time (a closed loop), POST /score with one chain of the reward corpus (seed 42, key steps and
// answer attached). A warm-up pass, then REPS timed passes; rps is the median pass, p50/p99 are
// medians of the passes' quantiles. A second measurement sends /score_batch with BATCH chains.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSection } from '../bench-section';
import { median, quantile } from '../bench-section';
import { generateCorpus } from '../../fixtures/chain-builder';

const CONNECTIONS = 16;
const REQUESTS = 4000;
const REPS = 3;
const BATCH = 64;
const BATCH_REQUESTS = 200;
const root = path.resolve(__dirname, '../../..');

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) resolve({ child, url: line.trim() });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`stepgrpo serve exited with ${code}: ${err.trim()}`)));
    child.once('error', reject);
  });
}

function post(agent: http.Agent, url: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`HTTP ${res.statusCode} from ${path}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` requests from `bodies` (round robin) over CONNECTIONS closed-loop workers. */
async function pass(agent: http.Agent, url: string, path: string, bodies: string[], count: number): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const body = bodies[next++ % bodies.length]!;
      const t0 = performance.now();
      await post(agent, url, path, body);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function measure(agent: http.Agent, url: string, path: string, bodies: string[], count: number) {
  await pass(agent, url, path, bodies, Math.min(count, 1000));
  const rates: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const { seconds, latencies } = await pass(agent, url, path, bodies, count);
    rates.push(count / seconds);
    p50.push(quantile(latencies, 0.5));
    p99.push(quantile(latencies, 0.99));
  }
  return { rps: median(rates), min: Math.min(...rates), max: Math.max(...rates), p50: median(p50), p99: median(p99) };
}

const section: BenchSection = {
  name: 'server',
  async run() {
    const corpus = generateCorpus(2048, 42);
    const bodies = corpus.map((c) => JSON.stringify({ completion: c.text, answer: c.answer, key_steps: { Steps: c.keySteps } }));
    const batches = Array.from({ length: corpus.length / BATCH }, (_, b) =>
      JSON.stringify({ items: corpus.slice(b * BATCH, (b + 1) * BATCH).map((c) => ({ completion: c.text, answer: c.answer, key_steps: c.keySteps })) }),
    );
    const { child, url } = await startServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    try {
      const single = await measure(agent, url, '/score', bodies, REQUESTS);
      const batch = await measure(agent, url, '/score_batch', batches, BATCH_REQUESTS);
      const rows: BenchRow[] = [
        {
          key: 'server.rps',
          value: Math.round(single.rps),
          note: `POST /score, 1 chain each, ${CONNECTIONS} keep-alive connections from the bench process, server in a child process (passes ${Math.round(single.min)}–${Math.round(single.max)})`,
        },
        { key: 'server.p50_ms', value: single.p50, note: 'client-side latency of /score at that load' },
        { key: 'server.p99_ms', value: single.p99, note: 'client-side latency of /score at that load' },
        { key: 'server.batch_chains_per_s', value: Math.round(batch.rps * BATCH), note: `POST /score_batch with ${BATCH} chains, same connections` },
        { key: 'server.batch_p99_ms', value: batch.p99, note: `latency of one ${BATCH}-chain batch` },
        { key: 'server.loadavg_1m', value: os.loadavg()[0]!, note: `${os.cpus().length} cores` },
      ];
      return rows;
    } finally {
      agent.destroy();
      child.kill('SIGTERM');
    }
  },
};

export default section;
