// Bad requests get the right status and a message naming the problem (and the field, for 422).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { RewardServer } from '../../src/server/reward-server';
import { buildChain } from '../fixtures/chain-builder';
import { request, startTestServer } from '../support/reward-server-fixture';

const LIMIT = 64 * 1024;
const bigItems = (bytes: number) => ({ items: Array.from({ length: Math.ceil(bytes / 1000) }, () => ({ completion: 'x'.repeat(980) })) });

/** Sends a body in chunks without a Content-Length (chunked encoding). */
function chunkedPost(url: string, path: string, chunks: Buffer[], agent: http.Agent): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', agent }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('reward server errors', () => {
  let server: RewardServer;
  let url: string;
  before(async () => ({ server, url } = await startTestServer({ maxBodyBytes: LIMIT })));
  after(() => server.close());

  it('malformed JSON, an empty body and invalid UTF-8 are 400 with the reason', async () => {
    const bad = await request(url, 'POST', '/score', '{"completion": ');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^request body is not valid JSON: .+/);
    assert.equal(bad.body.error.status, 400);
    assert.match((await request(url, 'POST', '/score', '')).body.error.message, /empty request body/);
    const utf = await request(url, 'POST', '/score', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    assert.equal(utf.status, 400);
    assert.match(utf.body.error.message, /not valid UTF-8/);
  });

  it('wrong field types are 422 naming the field, with the engine’s own key-step messages', async () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['/score', { completion: 42 }, 'completion', /completion: expected a string, got number/],
      ['/score', { answer: '7' }, 'completion', /completion: missing/],
      ['/score', [buildChain()], 'body', /body: expected an object, got array/],
      ['/score', { completion: 'x', answr: '7' }, 'answr', /unknown field/],
      ['/score', { completion: 'x', key_steps: { Steps: 'a' } }, 'key_steps.Steps', /key_steps\.Steps: expected a list, got string/],
      ['/score', { completion: 'x', key_steps: ['a', ['b', null]] }, 'key_steps[1][1]', /expected a string, got null/],
      ['/score', { completion: 'x', preset: 'ppo' }, 'preset', /unknown preset "ppo" \(expected one of stepgrpo, grpo-outcome, r1vl-official\)/],
      ['/score', { completion: 'x', config: { alpha: 'big' } }, 'config.alpha', /config\.alpha: alpha must be a finite number/],
      ['/score', { completion: 'x', config: { temperature: 1 } }, 'config.temperature', /unknown field "temperature"/],
      ['/score', { completion: 'x', config: [] }, 'config', /config: expected an object, got array/],
      ['/score_batch', { items: {} }, 'items', /items: expected a list, got object/],
      ['/score_batch', { items: [], preset: 7 }, 'preset', /preset: expected a string, got number/],
      ['/score_batch', { items: [], config: { mode: 'fast' } }, 'config.mode', /mode must be one of r1vl, robust/],
      ['/get_reward', { queries: ['x'] }, 'query', /query: missing/],
      ['/get_reward', { query: ['x', 3] }, 'query[1]', /expected a string, got number/],
      ['/get_reward', { query: ['x', 'y'], labels: ['7'] }, 'labels', /expected 2 entries \(one per query\), got 1/],
      ['/get_reward', { query: ['x'], labels: ['{"answer": '] }, 'labels[0]', /not valid JSON/],
      ['/get_reward', { query: ['x'], labels: ['{"key_steps": {"Steps": [1]}}'] }, 'labels[0].key_steps.Steps[0]', /expected a string or a list/],
    ];
    for (const [path, body, field, message] of cases) {
      const r = await request(url, 'POST', path, body);
      assert.equal(r.status, 422, `${path} ${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.body.error.field, field, JSON.stringify(body));
      assert.match(r.body.error.message, message, JSON.stringify(body));
    }
  });

  it('unknown paths are 404 listing the endpoints; a wrong method is 405 with Allow', async () => {
    const missing = await request(url, 'POST', '/reward');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /POST \/score, POST \/score_batch, POST \/get_reward, GET \/health, GET \/metrics/);
    const wrong = await request(url, 'GET', '/score_batch');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'POST');
    assert.equal((await request(url, 'POST', '/health', {})).status, 405);
  });

  it('a body over the limit is 413 with a clear message, declared or streamed; the connection stays usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const declared = await request(url, 'POST', '/score_batch', bigItems(LIMIT * 2), { agent });
      assert.equal(declared.status, 413);
      assert.match(declared.body.error.message, new RegExp(`request body too large: \\d+ bytes declared, the limit is ${LIMIT} bytes \\(0\\.063 MiB\\)`));
      const payload = Buffer.from(JSON.stringify(bigItems(LIMIT * 3)));
      const chunks = Array.from({ length: Math.ceil(payload.length / 8192) }, (_, i) => payload.subarray(i * 8192, (i + 1) * 8192));
      const streamed = await chunkedPost(url, '/score_batch', chunks, agent);
      assert.equal(streamed.status, 413);
      assert.match(streamed.body.error.message, /more than 65536 bytes received/);
      const after = await request(url, 'POST', '/score', { completion: buildChain() }, { agent });
      assert.equal(after.status, 200);
    } finally {
      agent.destroy();
    }
  });

  it('Expect: 100-continue with an over-long Content-Length is refused before the body is sent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/score`, { method: 'POST', agent: false, headers: { expect: '100-continue', 'content-length': String(LIMIT * 10) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('continue', () => reject(new Error('the server asked for the body')));
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 413);
  });

  it('the default limit is 16 MiB', async () => {
    const { server: big, url: bigUrl } = await startTestServer();
    try {
      const r = await request(bigUrl, 'POST', '/score_batch', bigItems(17 * 1024 * 1024));
      assert.equal(r.status, 413);
      assert.match(r.body.error.message, /the limit is 16777216 bytes \(16\.0 MiB\)/);
    } finally {
      await big.close();
    }
  });
});
