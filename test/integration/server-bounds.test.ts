// What the reward server survives (issue 19): deep JSON, long and adversarial texts, overflowing
// weights, retries, clients that go away, browsers and rebinding pages. Each case failed before the
// fix it names (see docs/server.md, "What the server survives").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { RewardServer } from '../../src/server/reward-server';
import { RunRecorder } from '../../src/server/run-recorder';
import { readRunEvents } from '../../src/rundir/event-log-reader';
import { buildChain } from '../fixtures/chain-builder';
import { request, startTestServer } from '../support/reward-server-fixture';
import { runCli } from '../support/cli-harness';
import { startServeProcess } from '../support/serve-process';

const TOKEN = 'bounds-test-token-0123456789';
const goodItem = (answer = '7') => ({ completion: buildChain({ answer }), answer, key_steps: ['3 + 4'] });
const nestedFrac = (chars: number) => `### The final answer is: $${'\\frac{1}{'.repeat(Math.floor(chars / 9))}$`;

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function recordingServer(options: ConstructorParameters<typeof RewardServer>[0] = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bounds-'));
  const recorder = RunRecorder.create(path.join(dir, 'run'), { config: {}, version: 'test', flushMs: 20 });
  const { server, url } = await startTestServer({ recorder, ...options });
  const close = async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { server, url, recorder, runDir: path.join(dir, 'run'), close };
}

describe('reward server: bounded parsing and scoring', () => {
  let server: RewardServer;
  let url: string;
  before(async () => ({ server, url } = await startTestServer()));
  after(() => server.close());

  it('a deeply nested body is refused before parsing (422 naming the limit)', async () => {
    const reply = await request(url, 'POST', '/score_batch', `${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    assert.equal(reply.status, 422);
    assert.match(reply.body.error.message, /more than 64 levels deep.*the limit is 64/);
  });

  it('a 100 k-deep config is a 422, not an internal stack overflow', async () => {
    for (const deep of [
      `{"completion":"x","config":{"alpha":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`,
      `{"completion":"x","key_steps":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      `{"completion":"x","config":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`,
    ]) {
      const reply = await request(url, 'POST', '/score', deep);
      assert.equal(reply.status, 422, reply.text.slice(0, 300));
      assert.doesNotMatch(reply.text, /call stack/);
    }
  });

  it('a text over the length limit is refused naming the field and the limit', async () => {
    const single = await request(url, 'POST', '/score', { completion: nestedFrac(1_100_000), answer: '1', preset: 'r1vl-official' });
    assert.equal(single.status, 422);
    assert.equal(single.body.error.field, 'completion');
    assert.match(single.body.error.message, /the limit is 32768/);
    const batch = await request(url, 'POST', '/score_batch', { items: [goodItem(), { completion: 'x', solution: 's'.repeat(40_000) }] });
    assert.equal(batch.status, 200);
    assert.equal(batch.body.results[1].error.field, 'items[1].solution');
  });

  it('an item whose weights overflow is refused naming the field; the others are scored', async () => {
    const batch = await request(url, 'POST', '/score_batch', { items: [goodItem(), goodItem(), goodItem(), { ...goodItem(), config: { alpha: 1e308 } }] });
    assert.equal(batch.status, 200);
    assert.equal(batch.body.failed, 1);
    assert.deepEqual(batch.body.results[3].error, {
      index: 3,
      field: 'items[3].config.alpha',
      message: 'items[3].config.alpha: the total reward 1e+308 is beyond ±1e+100 (group statistics would overflow); alpha is 1e+308',
    });
    const single = await request(url, 'POST', '/score', { ...goodItem(), config: { w_acc: 1e308, w_val: 1e308 } });
    assert.equal(single.status, 422);
    assert.match(single.body.error.field, /^config\.w_(acc|val)$/);
  });

  it('/health answers while a batch of worst-case texts at the length limit is scored', async () => {
    const items = Array.from({ length: 24 }, () => ({ completion: nestedFrac(32_000), answer: '1', preset: 'r1vl-official' }));
    const started = performance.now();
    const scoring = request(url, 'POST', '/score_batch', { items });
    await until(() => server.metrics.scoringNow > 0, 'scoring to start');
    const latencies: number[] = [];
    while (server.metrics.scoringNow > 0) {
      const t = performance.now();
      assert.equal((await request(url, 'GET', '/health')).status, 200);
      latencies.push(performance.now() - t);
    }
    assert.equal((await scoring).status, 200);
    const scoringMs = performance.now() - started;
    // Relative, not a time limit: load on a shared machine stretches every latency alike (a fixed
    // 1 s limit failed a fresh clone at load 2.9 with 1,052 ms). A server that scored the batch in
    // one block would answer /health once, after it; the 100 ms target is the bench's (server-bounds).
    const shown = `/health latencies while scoring: ${latencies.map((l) => l.toFixed(0)).join(', ')} ms; the batch took ${scoringMs.toFixed(0)} ms`;
    console.log(`  ${shown}`);
    assert.ok(latencies.length >= 3 && Math.max(...latencies) < scoringMs / 3, shown);
  });
});

describe('reward server: recording stays readable and exact', () => {
  it('an overflowing item is never recorded; the rest of the step reads back', async () => {
    const { url, recorder, runDir, close } = await recordingServer();
    try {
      const items = [goodItem(), goodItem('8'), { ...goodItem(), config: { alpha: 1e308 } }];
      assert.equal((await request(url, 'POST', '/score_batch', { step: 0, items })).status, 200);
      await until(() => recorder.chains === 2, 'two chains written');
      recorder.close();
      const read = await readRunEvents(runDir);
      assert.deepEqual(read.problems, []);
      const samples = read.events.flatMap((e) => (e.type === 'rollouts' ? e.groups.flatMap((g) => g.samples) : []));
      assert.equal(samples.length, 2);
    } finally {
      await close();
    }
  });

  it('a retry with the same X-Request-Id gets the same reply and records nothing more', async () => {
    const { server, url, recorder, close } = await recordingServer();
    try {
      const body = { items: [goodItem(), goodItem('9')] };
      const headers = { 'x-request-id': 'batch-0001' };
      const [first, concurrent] = await Promise.all([request(url, 'POST', '/score_batch', body, { headers }), request(url, 'POST', '/score_batch', body, { headers })]);
      const retry = await request(url, 'POST', '/score_batch', body, { headers });
      assert.equal(first.text, concurrent.text);
      assert.equal(first.text, retry.text);
      assert.equal(retry.headers['x-replayed'], 'true');
      await until(() => recorder.chains >= 2, 'chains written');
      await new Promise((r) => setTimeout(r, 100)); // two more flush intervals: nothing else arrives
      assert.equal(recorder.chains, 2);
      assert.equal(server.metrics.replayed, 2);
      const other = await request(url, 'POST', '/score_batch', body, { headers: { 'x-request-id': 'batch-0002' } });
      assert.equal(other.headers['x-replayed'], undefined);
    } finally {
      await close();
    }
  });

  it('a batch abandoned by its client stops being scored and records nothing', async () => {
    const { server, url, recorder, close } = await recordingServer();
    try {
      const items = Array.from({ length: 400 }, () => ({ completion: nestedFrac(32_000), answer: '1', preset: 'r1vl-official' }));
      const payload = JSON.stringify({ items });
      const req = http.request(`${url}/score_batch`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('error', () => {});
      req.end(payload);
      await until(() => server.metrics.scoringNow > 0, 'scoring to start');
      req.destroy();
      await until(() => server.metrics.scoringNow === 0, 'scoring to stop', 5000);
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(recorder.chains, 0);
      assert.equal(server.metrics.chainsScored, 0);
    } finally {
      await close();
    }
  });

  it('/health counts only chains whose write succeeded, and hides the run path from a tokenless page', async () => {
    const { url, recorder, runDir, close } = await recordingServer({ allowOrigins: ['https://app.example'] });
    try {
      assert.equal((await request(url, 'POST', '/score', goodItem())).status, 200);
      await until(() => recorder.chains === 1, 'one chain written');
      fs.rmSync(runDir, { recursive: true, force: true }); // every later write fails
      assert.equal((await request(url, 'POST', '/score', goodItem())).status, 200);
      await until(async () => (await request(url, 'GET', '/health')).body.recording.error !== undefined, 'the write error');
      const local = await request(url, 'GET', '/health');
      assert.equal(local.body.recording.chains, 1);
      assert.equal(local.body.recording.dir, runDir);
      const page = await request(url, 'GET', '/health', undefined, { headers: { origin: 'https://app.example' } });
      assert.equal(page.status, 200);
      assert.equal(page.body.recording.dir, undefined);
    } finally {
      await close();
    }
  });
});

describe('reward server: browsers, rebinding, tokens', () => {
  it('an allowed origin gets its preflight answered and CORS headers on the reply', async () => {
    const { server, url } = await startTestServer({ allowOrigins: ['https://app.example'], token: TOKEN });
    try {
      const origin = 'https://app.example';
      const preflight = await request(url, 'OPTIONS', '/score', undefined, {
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], origin);
      assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
      const scored = await request(url, 'POST', '/score', goodItem(), { headers: { origin, authorization: `Bearer ${TOKEN}` } });
      assert.equal(scored.status, 200);
      assert.equal(scored.headers['access-control-allow-origin'], origin);
      const other = await request(url, 'OPTIONS', '/score', undefined, { headers: { origin: 'https://evil.example' } });
      assert.equal(other.status, 403);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await server.close();
    }
  });

  it('a Host that is not the bound address is refused (DNS rebinding) unless allowed', async () => {
    const { server, url } = await startTestServer();
    const port = new URL(url).port;
    try {
      const rebound = await request(url, 'GET', '/health', undefined, { headers: { host: `attacker.example:${port}` } });
      assert.equal(rebound.status, 421);
      assert.match(rebound.body.error.message, /--allow-host attacker\.example/);
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
        assert.equal((await request(url, 'GET', '/health', undefined, { headers: { host } })).status, 200, host);
    } finally {
      await server.close();
    }
    const allowed = await startTestServer({ allowHosts: ['reward.internal'] });
    try {
      assert.equal((await request(allowed.url, 'GET', '/health', undefined, { headers: { host: 'reward.internal:1' } })).status, 200);
    } finally {
      await allowed.server.close();
    }
  });

  it('a token shorter than 16 characters is refused at start', () => {
    assert.throws(() => new RewardServer({ port: 0, token: 'x' }), /1 characters; use at least 16/);
  });
});

describe('stepgrpo serve: the token stays out of `ps`', () => {
  it('reads it from --token-file; a short one from the flag or STEPGRPO_SERVER_TOKEN is refused', async () => {
    const short = await runCli(['serve', '--port', '0', '--token', 'x']);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /1 characters; use at least 16/);
    const fromEnv = await runCli(['serve', '--port', '0'], { STEPGRPO_SERVER_TOKEN: 'short-env' });
    assert.match(fromEnv.stderr, /9 characters; use at least 16/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-token-'));
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, `${TOKEN}\n`);
    const { child, url } = await startServeProcess(['--token-file', file]);
    try {
      assert.equal((await request(url, 'GET', '/health')).status, 401);
      assert.equal((await request(url, 'GET', '/health', undefined, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
