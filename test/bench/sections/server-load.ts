// Bench section `server-load` (issue 9): the recording reward server under an OpenRLHF-like load.
// `stepgrpo serve --out DIR` in a child process; autocannon sends 20,000 single-sample
// `/get_reward` requests over 32 keep-alive connections (the bodies rotate over 200 chains and 8
// prompts, so groups form). Then SIGTERM, and the run directory must hold exactly 20,000 chains.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { BenchRow, BenchSection } from '../bench-section';
import { checkRecordedRun } from '../../../src/server/recorded-run';
import { generateCorpus } from '../../fixtures/chain-builder';
import { getRewardBodies, startServeProcess } from '../../support/serve-process';

const CONNECTIONS = 32;
const REQUESTS = 20_000;

const section: BenchSection = {
  name: 'server-load',
  async run(): Promise<BenchRow[]> {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-rec-')), 'run');
    const { child, url } = await startServeProcess(['--out', dir]);
    const bodies = getRewardBodies(generateCorpus(200, 42).map((c) => c.text));
    let next = 0;
    let result: autocannon.Result;
    try {
      result = await autocannon({
        url: `${url}/get_reward`,
        connections: CONNECTIONS,
        amount: REQUESTS,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }) }],
      });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const check = await checkRecordedRun(dir);
    const errors = result.errors + result.timeouts + result.non2xx;
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    return [
      { key: 'server.load_rps', value: Math.round(result.requests.average), note: `${CONNECTIONS} connections, ${REQUESTS} single-sample /get_reward, recording on` },
      { key: 'server.load_p50_ms', value: result.latency.p50, note: 'autocannon latency' },
      { key: 'server.load_p99_ms', value: result.latency.p99, note: 'autocannon latency' },
      { key: 'server.load_errors', value: errors, note: 'connection errors + timeouts + non-2xx replies' },
      { key: 'server.load_requests', value: result.requests.total, note: 'requests completed' },
      {
        key: 'server.load_chains_recorded',
        value: check.chains,
        note: `chains in the run directory (expected ${REQUESTS}); ${check.steps.length} step(s), ${check.problems.length} bad lines`,
      },
    ];
  },
};

export default section;
