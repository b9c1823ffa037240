// Issue 19: "client retries duplicate chains" (22,807 recorded for 20,000). Clients that abandon
// a share of their requests mid-flight and re-send them with the same X-Request-Id must leave
// exactly one chain per request in the recording. The heavy size (32 × 20,000, 5 %) is the
// server-load bench; this is the same load at a small scale.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunRecorder } from '../../src/server/run-recorder';
import { checkRecordedRun } from '../../src/server/recorded-run';
import { generateCorpus } from '../fixtures/chain-builder';
import { startTestServer } from '../support/reward-server-fixture';
import { getRewardBodies } from '../support/serve-process';
import { runRetryingLoad } from '../support/retrying-load';

const REQUESTS = 400;

describe('reward server: retried requests are recorded once', () => {
  it('4 connections × 400 requests, 10 % abandoned and retried: exactly 400 chains, 0 errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-retries-'));
    const runDir = path.join(dir, 'run');
    const recorder = RunRecorder.create(runDir, { config: {}, version: 'test', flushMs: 20 });
    const { server, url } = await startTestServer({ recorder });
    try {
      const load = await runRetryingLoad({
        url,
        path: '/get_reward',
        bodies: getRewardBodies(generateCorpus(50, 7).map((c) => c.text)),
        connections: 4,
        requests: REQUESTS,
        retryShare: 0.1,
        maxAbandonMs: 20,
        seed: 19,
      });
      await server.close();
      assert.deepEqual(load.firstErrors, []);
      assert.equal(load.completed, REQUESTS);
      const check = await checkRecordedRun(runDir);
      assert.deepEqual(check.problems, []);
      assert.equal(check.chains, REQUESTS);
      assert.ok(load.cutMidFlight + load.repliesDropped >= 20, `only ${load.cutMidFlight + load.repliesDropped} requests were abandoned`);
      assert.ok(load.cutMidFlight > 0, 'no request was cut mid-flight');
      assert.ok(load.replayed > 0, 'no retry found its first attempt finished: the lost-reply case was not exercised');
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
