// The stdlib-only Python client (src/server/integrations/stepgrpo_reward.py) against a real server
// on an ephemeral loopback port: it sends the bearer token, and a 4xx raises an error whose message
// names the field (so it reaches the trainer's console); a dead server is reported, not retried forever.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { scoreChain } from '../../src/core/reward';
import type { RewardServer } from '../../src/server/reward-server';
import { buildChain } from '../fixtures/chain-builder';
import { startTestServer } from '../support/reward-server-fixture';
import { runSnippet, skipWithoutPython } from '../support/python-runner';

describe('Python client against the reward server', { skip: skipWithoutPython }, () => {
  let server: RewardServer;
  let url: string;
  before(async () => ({ server, url } = await startTestServer({ token: 's3cret-token-for-tests' })));
  after(() => server.close());

  it('sends the token from STEPGRPO_REWARD_TOKEN and scores like the engine', async () => {
    const chain = buildChain();
    const out = await runSnippet(
      `import stepgrpo_reward as s
print(json.dumps({"one": s.RewardClient().score(job["chain"], answer="7")["total"], "batch": [r["total"] for r in s.RewardClient().score_batch([{"completion": job["chain"], "answer": "8"}], step=3)]}))`,
      { chain },
      { STEPGRPO_REWARD_URL: url, STEPGRPO_REWARD_TOKEN: 's3cret-token-for-tests' },
    );
    assert.equal(out.one, scoreChain(chain, { answer: '7' }).total);
    assert.deepEqual(out.batch, [scoreChain(chain, { answer: '8' }).total]);
  });

  it('a 4xx raises RewardServerError naming the field; a missing token says so; a dead server is reported', async () => {
    const out = await runSnippet(
      `import stepgrpo_reward as s
res = {}
c = s.RewardClient(token="s3cret-token-for-tests")
try:
    c.score_batch([c.item("a"), c.item("b", key_steps={"Steps": [["x", 3]]})])
except s.RewardServerError as e:
    res["batch"] = [e.status, e.field, e.index, str(e)]
try:
    c.score("x", answer=5)
except s.RewardServerError as e:
    res["single"] = [e.status, e.field, str(e)]
try:
    s.RewardClient(token="").health()
except s.RewardServerError as e:
    res["token"] = [e.status, str(e)]
try:
    s.RewardClient(url="http://127.0.0.1:9", retries=1, timeout=2).health()
except s.RewardServerError as e:
    res["dead"] = [e.status, str(e)]
print(json.dumps(res))`,
      {},
      { STEPGRPO_REWARD_URL: url },
    );
    assert.deepEqual(out.batch.slice(0, 3), [422, 'items[1].key_steps.Steps[0][1]', 1]);
    assert.match(out.batch[3], /field items\[1\]\.key_steps\.Steps\[0\]\[1\].*expected a string, got number/);
    assert.deepEqual(out.single.slice(0, 2), [422, 'answer']);
    assert.match(out.single[2], /HTTP 422 \(field answer\)/);
    assert.equal(out.token[0], 401);
    assert.match(out.token[1], /Authorization: Bearer/);
    assert.equal(out.dead[0], 0);
    assert.match(out.dead[1], /no reply from http:\/\/127\.0\.0\.1:9\/health after 2 attempts/);
  });

  it('a retry after a lost reply carries the same X-Request-Id: scored and recorded once', async () => {
    const scoredBefore = server.metrics.chainsScored;
    const replayedBefore = server.metrics.replayed;
    // The first attempt reaches the server, then its reply is lost (a timeout on the trainer side).
    const out = await runSnippet(
      `import stepgrpo_reward as s, urllib.request
real = urllib.request.urlopen
lost = []
def flaky(request, timeout=None):
    reply = real(request, timeout=timeout)
    if not lost:
        lost.append(request.get_header("X-request-id"))
        reply.read()
        raise TimeoutError("reply lost")
    return reply
s.urllib.request.urlopen = flaky
c = s.RewardClient(token="s3cret-token-for-tests")
print(json.dumps({"totals": [r["total"] for r in c.score_batch([c.item(job["chain"], answer="7")] * 3)], "id": lost[0]}))`,
      { chain: buildChain() },
      { STEPGRPO_REWARD_URL: url },
    );
    assert.equal(out.totals.length, 3);
    assert.match(out.id, /^[0-9a-f]{32}$/);
    assert.equal(server.metrics.chainsScored - scoredBefore, 3);
    assert.equal(server.metrics.replayed - replayedBefore, 1);
  });
});
