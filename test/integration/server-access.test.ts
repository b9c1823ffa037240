// Who may use the reward server: a token is required off loopback (refused at start without one),
// compared in constant time, 401 without it; browser requests (an Origin header) get 403 unless
// allowed; one client's requests in flight are bounded (429), so it cannot starve the others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RewardServer } from '../../src/server/reward-server';
import { tokenMatcher } from '../../src/server/access';
import { buildChain } from '../fixtures/chain-builder';
import { request, startTestServer } from '../support/reward-server-fixture';
import { runCli } from '../support/cli-harness';

describe('reward server access', () => {
  it('refuses to bind beyond loopback without a token', () => {
    assert.throws(() => new RewardServer({ host: '0.0.0.0', port: 0 }), /binding to 0\.0\.0\.0 exposes the reward server.*--token or STEPGRPO_REWARD_TOKEN/);
    assert.doesNotThrow(() => new RewardServer({ host: '0.0.0.0', port: 0, token: 'a-long-enough-test-token' }));
  });

  it('`stepgrpo serve --host 0.0.0.0` without --token or STEPGRPO_REWARD_TOKEN does not start', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { STEPGRPO_REWARD_TOKEN: '' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--host 0\.0\.0\.0 exposes the server to the network: give a bearer token with --token-file or STEPGRPO_SERVER_TOKEN/);
  });

  it('needs the bearer token on every endpoint when it has one: 401 names the header', async () => {
    const { server, url } = await startTestServer({ token: 'right-token-0123456789' });
    try {
      for (const [method, path] of [
        ['GET', '/health'],
        ['POST', '/score'],
        ['GET', '/metrics'],
      ] as const) {
        const none = await request(url, method, path, method === 'POST' ? { completion: 'x' } : undefined);
        assert.equal(none.status, 401, `${method} ${path}`);
        assert.equal(none.headers['www-authenticate'], 'Bearer realm="stepgrpo"');
        assert.equal(none.body.error.field, 'authorization');
      }
      const wrong = await request(url, 'GET', '/health', undefined, { headers: { authorization: 'Bearer wrong' } });
      assert.equal(wrong.status, 401);
      assert.match(wrong.body.error.message, /wrong/);
      const ok = await request(url, 'GET', '/health', undefined, { headers: { authorization: 'Bearer right-token-0123456789' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.auth, 'bearer');
      assert.match(ok.body.version, /^\d+\.\d+\.\d+/);
    } finally {
      await server.close();
    }
  });

  it('compares tokens of any length without throwing', () => {
    const matches = tokenMatcher('abc');
    assert.equal(matches('abc'), true);
    assert.equal(matches('abcd'), false);
    assert.equal(matches(''), false);
  });

  it('refuses browser requests (Origin) unless the origin is allowed, including a text/plain simple POST', async () => {
    const { server, url } = await startTestServer();
    try {
      const body = JSON.stringify({ completion: buildChain() });
      const page = await request(url, 'POST', '/score', body, { headers: { origin: 'https://evil.example', 'content-type': 'text/plain' } });
      assert.equal(page.status, 403);
      assert.match(page.body.error.message, /--allow-origin https:\/\/evil\.example/);
      assert.equal((await request(url, 'POST', '/score', body)).status, 200, 'no Origin: a trainer, served');
    } finally {
      await server.close();
    }
    const allowed = await startTestServer({ allowOrigins: ['http://localhost:3000'] });
    try {
      assert.equal((await request(allowed.url, 'GET', '/health', undefined, { headers: { origin: 'http://localhost:3000' } })).status, 200);
      assert.equal((await request(allowed.url, 'GET', '/health', undefined, { headers: { origin: 'http://localhost:3001' } })).status, 403);
    } finally {
      await allowed.server.close();
    }
  });

  it('bounds the requests one client has in flight (429 with Retry-After) and serves again after', async () => {
    const { server, url } = await startTestServer({ maxInFlightPerClient: 2 });
    try {
      // A large batch keeps requests in flight while it is scored in slices.
      const items = Array.from({ length: 3000 }, (_, i) => ({ completion: buildChain({ answer: String(i) }), answer: '7' }));
      const replies = await Promise.all(Array.from({ length: 6 }, () => request(url, 'POST', '/score_batch', { items })));
      const statuses = replies.map((r) => r.status).sort();
      assert.ok(statuses.includes(200) && statuses.includes(429), `statuses ${statuses}`);
      const refused = replies.find((r) => r.status === 429)!;
      assert.equal(refused.headers['retry-after'], '1');
      assert.match(refused.body.error.message, /too many requests in flight from .* \(limit 2\)/);
      assert.equal((await request(url, 'GET', '/health')).status, 200);
    } finally {
      await server.close();
    }
  });
});
