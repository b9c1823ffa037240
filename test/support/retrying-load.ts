// A load of closed-loop clients that retry like the Python integrations do (issue 19: "32
// connections × 20,000 requests with 5 % of requests retried"). Each request carries an
// `X-Request-Id`; a seeded share of them is first sent and abandoned after a random delay (the
// socket is destroyed mid-flight, or, when the reply came first, the reply is dropped as if lost),
// then sent again with the same id. For the server-load bench and its integration test.
import http from 'node:http';
import { rng } from '../fixtures/chain-builder';

export interface RetryingLoadOptions {
  url: string;
  path: string;
  /** Request bodies, sent round robin. */
  bodies: readonly string[];
  connections: number;
  requests: number;
  /** Share of requests first abandoned, then retried with the same id. */
  retryShare: number;
  /** An abandoned attempt is cut after a delay drawn uniformly from [0, maxAbandonMs). */
  maxAbandonMs: number;
  seed: number;
}

export interface RetryingLoadResult {
  /** Requests that ended with a 200. */
  completed: number;
  /** Final attempts that failed (connection error or non-200), with the first few reasons. */
  errors: number;
  firstErrors: string[];
  /** Abandoned first attempts: cut mid-flight, and those whose reply arrived first and was dropped. */
  cutMidFlight: number;
  repliesDropped: number;
  /** Final attempts answered with `X-Replayed: true`. */
  replayed: number;
  seconds: number;
  latenciesMs: number[];
}

/** Sends and cuts the request after `afterMs`; true when it was cut before its reply ended. */
function abandon(agent: http.Agent, target: URL, body: string, id: string, afterMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let replied = false;
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-request-id': id } }, (res) => {
      res.on('end', () => (replied = true));
      res.on('error', () => {});
      res.resume();
    });
    const timer = setTimeout(() => req.destroy(), afterMs);
    req.on('error', () => {});
    req.on('close', () => {
      clearTimeout(timer);
      resolve(!replied);
    });
    req.end(body);
  });
}

function send(agent: http.Agent, target: URL, body: string, id: string): Promise<{ status: number; replayed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-request-id': id } }, (res) => {
      res.on('end', () => resolve({ status: res.statusCode ?? 0, replayed: res.headers['x-replayed'] === 'true' }));
      res.on('error', reject);
      res.resume();
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runRetryingLoad(options: RetryingLoadOptions): Promise<RetryingLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.path, options.url);
  const result: RetryingLoadResult = { completed: 0, errors: 0, firstErrors: [], cutMidFlight: 0, repliesDropped: 0, replayed: 0, seconds: 0, latenciesMs: [] };
  const fail = (why: string): void => {
    result.errors++;
    if (result.firstErrors.length < 5) result.firstErrors.push(why);
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.requests) {
      const n = next++;
      const body = options.bodies[n % options.bodies.length]!;
      const id = `load-${options.seed}-${n}`;
      const started = performance.now();
      const random = rng(options.seed + n * 0x9e3779b1); // per request: the same requests are retried whatever the interleaving
      if (random() < options.retryShare) {
        if (await abandon(agent, target, body, id, random() * options.maxAbandonMs)) result.cutMidFlight++;
        else result.repliesDropped++;
      }
      try {
        const { status, replayed } = await send(agent, target, body, id);
        if (status !== 200) fail(`request ${id}: HTTP ${status}`);
        else result.completed++;
        if (replayed) result.replayed++;
      } catch (err) {
        fail(`request ${id}: ${(err as Error).message}`);
      }
      result.latenciesMs.push(performance.now() - started);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: options.connections }, worker));
  } finally {
    agent.destroy();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
