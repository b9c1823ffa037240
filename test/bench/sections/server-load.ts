// Bench section `server-load` (issues 9 and 19): the recording reward server under an
// OpenRLHF-like load. `stepgrpo serve --out DIR` in a child process; 20,000 single-sample
// `/get_reward` requests over 32 keep-alive connections (the bodies rotate over 200 chains and 8
// prompts, so groups form); then SIGTERM, and the run directory must hold exactly 20,000 chains.
// Two loads, each on a fresh server: autocannon at full speed, and clients that send an
// X-Request-Id, abandon 5 % of their requests after a random delay (mid-flight, or dropping a reply
// that came first) and re-send them with the same id (issue 19: 22,807 chains for 20,000 before).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { BenchRow, BenchSection } from '../bench-section';
import { quantile } from '../bench-section';
import { checkRecordedRun, type RecordedRunCheck } from '../../../src/server/recorded-run';
import type { MetricsResponse } from '../../../src/protocol/reward-server';
import { generateCorpus } from '../../fixtures/chain-builder';
import { getRewardBodies, startServeProcess } from '../../support/serve-process';
import { runRetryingLoad } from '../../support/retrying-load';

const CONNECTIONS = 32;
const REQUESTS = 20_000;
const RETRY_SHARE = 0.05;
const MAX_ABANDON_MS = 30;

/** Runs `load` against a fresh recording server, stops it with SIGTERM, and reads back its run. */
async function recordedLoad<T>(load: (url: string) => Promise<T>): Promise<{ result: T; metrics: MetricsResponse; check: RecordedRunCheck }> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-rec-')), 'run');
  const { child, url } = await startServeProcess(['--out', dir]);
  let result: T;
  let metrics: MetricsResponse;
  try {
    result = await load(url);
    metrics = (await (await fetch(`${url}/metrics`)).json()) as MetricsResponse;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  const check = await checkRecordedRun(dir);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  return { result, metrics, check };
}

const recordedNote = (check: RecordedRunCheck): string => `chains in the run directory (expected ${REQUESTS}); ${check.steps.length} step(s), ${check.problems.length} bad lines`;

const section: BenchSection = {
  name: 'server-load',
  async run(): Promise<BenchRow[]> {
    const bodies = getRewardBodies(generateCorpus(200, 42).map((c) => c.text));
    let next = 0;
    const plain = await recordedLoad((url) =>
      autocannon({
        url: `${url}/get_reward`,
        connections: CONNECTIONS,
        amount: REQUESTS,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
      }),
    );
    const retried = await recordedLoad((url) =>
      runRetryingLoad({ url, path: '/get_reward', bodies, connections: CONNECTIONS, requests: REQUESTS, retryShare: RETRY_SHARE, maxAbandonMs: MAX_ABANDON_MS, seed: 42 }),
    );
    const a = plain.result;
    const r = retried.result;
    return [
      { key: 'server.load_rps', value: Math.round(a.requests.average), note: `${CONNECTIONS} connections, ${REQUESTS} single-sample /get_reward, recording on` },
      { key: 'server.load_p50_ms', value: a.latency.p50, note: 'autocannon latency' },
      { key: 'server.load_p99_ms', value: a.latency.p99, note: 'autocannon latency' },
      { key: 'server.load_errors', value: a.errors + a.timeouts + a.non2xx, note: 'connection errors + timeouts + non-2xx replies' },
      { key: 'server.load_requests', value: a.requests.total, note: 'requests completed' },
      { key: 'server.load_chains_recorded', value: plain.check.chains, note: recordedNote(plain.check) },
      {
        key: 'server.retry_load_rps',
        value: Math.round(r.completed / r.seconds),
        note: `same load with X-Request-Id, ${RETRY_SHARE * 100} % abandoned after 0–${MAX_ABANDON_MS} ms and re-sent (requests completed per second)`,
      },
      { key: 'server.retry_load_p50_ms', value: Math.round(quantile(r.latenciesMs, 0.5) * 10) / 10, note: 'per request, the abandoned attempt included' },
      { key: 'server.retry_load_p99_ms', value: Math.round(quantile(r.latenciesMs, 0.99) * 10) / 10, note: 'per request, the abandoned attempt included' },
      { key: 'server.retry_load_errors', value: r.errors, note: r.errors ? r.firstErrors.join('; ') : 'final attempts that failed (connection error or non-200)' },
      {
        key: 'server.retry_load_abandoned',
        value: r.cutMidFlight + r.repliesDropped,
        note: `${r.cutMidFlight} cut mid-flight, ${r.repliesDropped} replies dropped after they arrived`,
      },
      {
        key: 'server.retry_load_replayed',
        value: retried.metrics.requests_replayed,
        note: `retries answered from the replay cache (server /metrics; ${r.replayed} seen by the clients)`,
      },
      { key: 'server.retry_load_chains_recorded', value: retried.check.chains, note: recordedNote(retried.check) },
    ];
  },
};

export default section;
