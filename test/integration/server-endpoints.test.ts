// Every endpoint of the reward server over loopback, checked against the reward engine in-process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { scoreChain } from '../../src/core/reward';
import type { RewardServer } from '../../src/server/reward-server';
import { buildChain } from '../fixtures/chain-builder';
import { request, startTestServer } from '../support/reward-server-fixture';

const KEY_STEPS = { Steps: ['3 squares', ['4 circles', 'four circles']] };
const good = buildChain();
const wrong = buildChain({ answer: '8' });
const gap = buildChain({ stepNumbers: [1, 3, 4] });

describe('reward server endpoints', () => {
  let server: RewardServer;
  let url: string;
  before(async () => ({ server, url } = await startTestServer({ version: '9.9.9' })));
  after(() => server.close());

  it('POST /score returns the engine’s RewardBreakdown', async () => {
    const r = await request(url, 'POST', '/score', { completion: good, answer: '7', key_steps: KEY_STEPS });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.deepEqual(r.body, { rewards: scoreChain(good, { answer: '7', keySteps: KEY_STEPS.Steps }) });
    assert.equal(r.body.rewards.total, 2.1);
  });

  it('POST /score honours a preset and config overrides per request', async () => {
    const outcome = await request(url, 'POST', '/score', { completion: gap, answer: '7', preset: 'grpo-outcome' });
    assert.deepEqual(outcome.body.rewards, scoreChain(gap, { answer: '7' }, 'grpo-outcome'));
    assert.equal(outcome.body.rewards.total, 1);
    const r1vl = await request(url, 'POST', '/score', { completion: good, solution: good, config: { mode: 'r1vl', w_val: 0.5 } });
    assert.equal(r1vl.body.rewards.mode, 'r1vl');
    assert.deepEqual(r1vl.body.rewards, scoreChain(good, { solution: good }, { mode: 'r1vl', w_val: 0.5 }));
  });

  it('POST /score_batch: a list in, a list out in the same order, bad items reported in place', async () => {
    const items = [
      { completion: good, answer: '7' },
      { completion: wrong, key_steps: { Steps: [['ok', 5]] } },
      { completion: wrong, answer: '7' },
      'not an item',
      { completion: gap, answer: '7' },
    ];
    const r = await request(url, 'POST', '/score_batch', items);
    assert.equal(r.status, 200);
    assert.equal(r.body.scored, 3);
    assert.equal(r.body.failed, 2);
    assert.deepEqual(
      r.body.results.map((x: { index: number }) => x.index),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(r.body.results[0].rewards, scoreChain(good, { answer: '7' }));
    assert.deepEqual(r.body.results[1].error, { index: 1, field: 'items[1].key_steps.Steps[0][1]', message: 'items[1].key_steps.Steps[0][1]: expected a string, got number' });
    assert.deepEqual(r.body.results[2].rewards, scoreChain(wrong, { answer: '7' }));
    assert.equal(r.body.results[3].error.field, 'items[3]');
    assert.deepEqual(r.body.results[4].rewards, scoreChain(gap, { answer: '7' }));
  });

  it('POST /score_batch envelope: preset and config apply to every item, an item may override', async () => {
    const r = await request(url, 'POST', '/score_batch', {
      preset: 'r1vl-official',
      config: { alpha: 0.5 },
      items: [
        { completion: good, answer: '7', key_steps: KEY_STEPS },
        { completion: good, answer: '7', key_steps: KEY_STEPS, preset: 'stepgrpo' },
      ],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.results[0].rewards, scoreChain(good, { answer: '7', keySteps: KEY_STEPS.Steps }, { mode: 'r1vl', alpha: 0.5 }));
    assert.deepEqual(r.body.results[1].rewards, scoreChain(good, { answer: '7', keySteps: KEY_STEPS.Steps }, 'stepgrpo'));
  });

  it('POST /get_reward speaks OpenRLHF’s remote reward model: prompts stripped, labels as answers or JSON', async () => {
    const prompt = 'System: answer in sections. ### Step 9: (format example)\nUser: how many shapes?\nAssistant:';
    const body = {
      query: [prompt + good, prompt + wrong, gap],
      prompts: [prompt, prompt, 'a prompt that is not a prefix'],
      labels: ['7', JSON.stringify({ ground_truth: '7', key_steps: KEY_STEPS, source: 'ignored' }), '7'],
    };
    const r = await request(url, 'POST', '/get_reward', body);
    assert.equal(r.status, 200);
    const expected = [scoreChain(good, { answer: '7' }), scoreChain(wrong, { answer: '7', keySteps: KEY_STEPS.Steps }), scoreChain(gap, { answer: '7' })];
    assert.deepEqual(r.body, {
      rewards: expected.map((e) => e.total),
      scores: [1, 0, 1],
      extra_logs: { r_acc: expected.map((e) => e.r_acc), r_val: expected.map((e) => e.r_val), key_step_ratio: expected.map((e) => e.key_step_ratio) },
    });
    // Without prompts the query is scored whole; the older OpenRLHF body is just {query}.
    const bare = await request(url, 'POST', '/get_reward', { query: [good] });
    assert.deepEqual(bare.body.rewards, [scoreChain(good, {}).total]);
  });

  it('GET /health and GET /metrics report the config, counts and latency percentiles', async () => {
    const health = await request(url, 'GET', '/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    assert.equal(health.body.version, '9.9.9');
    assert.equal(health.body.config.mode, 'robust');
    const before = (await request(url, 'GET', '/metrics')).body;
    await request(url, 'POST', '/score', { completion: good });
    await request(url, 'POST', '/score', { completion: 1 });
    const m = (await request(url, 'GET', '/metrics')).body;
    assert.equal(m.requests, before.requests + 3);
    assert.equal(m.by_route['POST /score'], (before.by_route['POST /score'] ?? 0) + 2);
    assert.equal(m.by_status['422'], (before.by_status['422'] ?? 0) + 1);
    assert.equal(m.chains_scored, before.chains_scored + 1);
    assert.ok(m.latency.count >= 3);
    assert.ok(m.latency.p50_ms > 0 && m.latency.p50_ms <= m.latency.p99_ms && m.latency.p99_ms <= m.latency.max_ms);
  });
});
