// The stdlib-only Python clients (src/server/integrations/stepgrpo_reward.py) against a real server
// on an ephemeral loopback port: verl's compute_score family and TRL's reward functions must give
// exactly what the reward engine gives in-process.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { scoreChain } from '../../src/core/reward';
import type { RewardServer } from '../../src/server/reward-server';
import { buildChain } from '../fixtures/chain-builder';
import { startTestServer } from '../support/reward-server-fixture';

const integrations = path.resolve(__dirname, '../../src/server/integrations');
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const skip = python.status === 0 ? false : 'python3 is not installed (the Python clients cannot be run)';

/** Runs a Python snippet with the client importable; its last stdout line is parsed as JSON. */
function runPython(code: string, env: Record<string, string>): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', `import sys, json\nsys.path.insert(0, ${JSON.stringify(integrations)})\n${code}`],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`python failed: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

const KEY_STEPS = { Steps: ['3 squares', ['4 circles', 'four circles']] };
const chains = {
  good: buildChain(),
  wrong: buildChain({ answer: '8' }),
  gap: buildChain({ stepNumbers: [1, 3, 4] }),
};

describe('Python clients against the reward server', { skip }, () => {
  let server: RewardServer;
  let env: Record<string, string>;
  before(async () => {
    const started = await startTestServer();
    server = started.server;
    env = { STEPGRPO_REWARD_URL: started.url };
  });
  after(() => server.close());

  it('verl compute_score / compute_score_dict / compute_score_batch match the engine', async () => {
    const out = await runPython(
      `import stepgrpo_reward as s
good, wrong, gap, ks = ${JSON.stringify([chains.good, chains.wrong, chains.gap, KEY_STEPS])}
print(json.dumps({
  "single": s.compute_score("r1vl10k", good, "7"),
  "dict": s.compute_score_dict("r1vl10k", good, {"ground_truth": "7", "key_steps": ks}),
  "extra": s.compute_score("r1vl10k", good, "7", extra_info={"key_steps": ks}),
  "batch": s.compute_score_batch(["a", "a", "a"], [good, wrong, gap], ["7", "7", {"answer": "7"}], [None, None, None]),
}))`,
      env,
    );
    assert.equal(out.single, scoreChain(chains.good, { answer: '7' }).total);
    const full = scoreChain(chains.good, { answer: '7', keySteps: KEY_STEPS.Steps });
    assert.deepEqual(out.dict, { score: full.total, step_rar: full.r_acc, step_rvr: full.r_val, acc: 1, key_step_ratio: 1 });
    assert.equal(out.extra, full.total);
    assert.deepEqual(
      out.batch,
      [chains.good, chains.wrong, chains.gap].map((c) => scoreChain(c, { answer: '7' }).total),
    );
    assert.notEqual(out.batch[0], out.batch[1], 'a wrong answer must score lower');
  });

  it('TRL reward functions: standard and conversational completions, dataset columns as kwargs', async () => {
    const out = await runPython(
      `import stepgrpo_reward as s
good, wrong, gap, ks = ${JSON.stringify([chains.good, chains.wrong, chains.gap, KEY_STEPS])}
prompts = ["p"] * 3
kw = {"answer": ["7", "7", "7"], "key_steps": [ks, ks, None]}
conv = [[{"role": "assistant", "content": c}] for c in (good, wrong, gap)]
print(json.dumps({
  "total": s.stepgrpo_reward(prompts, [good, wrong, gap], **kw),
  "conv": s.stepgrpo_reward(prompts, conv, **kw),
  "rar": s.step_rar_reward(prompts, [good, wrong, gap], **kw),
  "rvr": s.step_rvr_reward(prompts, [good, wrong, gap], **kw),
  "gt": s.stepgrpo_reward(prompts, [good, wrong, gap], ground_truth=["7", "7", "7"]),
}))`,
      env,
    );
    const refs = [{ answer: '7', keySteps: KEY_STEPS.Steps }, { answer: '7', keySteps: KEY_STEPS.Steps }, { answer: '7' }];
    const expected = [chains.good, chains.wrong, chains.gap].map((c, i) => scoreChain(c, refs[i]!));
    assert.deepEqual(
      out.total,
      expected.map((r) => r.total),
    );
    assert.deepEqual(out.conv, out.total);
    assert.deepEqual(
      out.rar,
      expected.map((r) => r.r_acc),
    );
    assert.deepEqual(out.rvr, [1, 1, 0]);
    assert.deepEqual(
      out.gt,
      [chains.good, chains.wrong, chains.gap].map((c) => scoreChain(c, { answer: '7' }).total),
    );
  });

  it('bad input raises RewardServerError naming the field; a dead server is reported, not retried forever', async () => {
    const out = await runPython(
      `import stepgrpo_reward as s
res = {}
try:
    s.stepgrpo_reward(["p", "p"], ["a", "b"], key_steps=[None, {"Steps": [["x", 3]]}])
except s.RewardServerError as e:
    res["batch"] = [e.status, e.field, e.index, str(e)]
try:
    s.RewardClient().score("x", answer=5)
except s.RewardServerError as e:
    res["single"] = [e.status, e.field]
try:
    s.RewardClient(url="http://127.0.0.1:9", retries=1, timeout=2).health()
except s.RewardServerError as e:
    res["dead"] = [e.status, str(e)]
print(json.dumps(res))`,
      env,
    );
    assert.deepEqual(out.batch.slice(0, 3), [422, 'items[1].key_steps.Steps[0][1]', 1]);
    assert.match(out.batch[3], /expected a string, got number/);
    assert.deepEqual(out.single, [422, 'answer']);
    assert.equal(out.dead[0], 0);
    assert.match(out.dead[1], /no reply from http:\/\/127\.0\.0\.1:9\/health after 2 attempts/);
  });
});
