// Each engine's calling convention (stand-ins written from OpenRLHF v0.11, verl v0.7+ and TRL v1.x
// sources, test/integration/engines/) drives the stdlib integrations against a live recording
// server: the rewards equal the engine's (scoreChain), and the recorded run opens like a local one
// (the Rollout viewer's store finds the groups, metrics.jsonl has the steps).
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scoreChain } from '../../src/core/reward';
import type { RewardServer } from '../../src/server/reward-server';
import { RunRecorder } from '../../src/server/run-recorder';
import type { RolloutStore } from '../../src/extension/viewer/rollout-store';
import { readRolloutStore } from '../support/rollout-fixtures';
import { buildChain } from '../fixtures/chain-builder';
import { startTestServer } from '../support/reward-server-fixture';
import { ENGINES_DIR, INTEGRATIONS_DIR, runPython, skipWithoutPython } from '../support/python-runner';
import { DEFAULT_END_MARKERS } from '../../src/server/end-markers';

const KEY_STEPS = { Steps: ['3 squares', ['4 circles', 'four circles']] };
/** G responses per prompt: right, wrong answer, a step gap, a missing key step. */
const responses = [buildChain(), buildChain({ answer: '8' }), buildChain({ stepNumbers: [1, 3, 4] }), buildChain({ steps: ['There are 3 squares.', 'So 7.'] })];
const PROMPTS = ['<image> How many shapes are there?\n', '<image> Count every shape.\n'];

async function recordingServer(options: { stepGapMs?: number } = {}): Promise<{ server: RewardServer; url: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-rec-'));
  const recorder = RunRecorder.create(path.join(dir, 'run'), { config: {}, version: 'test', flushMs: 20, ...options });
  const { server, url } = await startTestServer({ recorder });
  return { server, url, dir: path.join(dir, 'run') };
}

async function openRecorded(dir: string): Promise<{ store: RolloutStore; metrics: { step: number; values: Record<string, number> }[] }> {
  const { store, problems } = await readRolloutStore(dir);
  assert.deepEqual(problems, []);
  const metrics = fs
    .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return { store, metrics };
}

describe('engine stand-ins against a recording reward server', { skip: skipWithoutPython }, () => {
  let server: RewardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const mode of ['reward_func file', 'remote URL'] as const) {
    it(`OpenRLHF (${mode}): one sample per call, labels as text or JSON, groups by prompt`, async () => {
      const rec = await recordingServer();
      server = rec.server;
      const labels = ['7', JSON.stringify({ answer: '7', key_steps: KEY_STEPS })];
      const samples = PROMPTS.flatMap((prompt, p) => responses.map((response) => ({ prompt, response, label: labels[p] })));
      const remote_url = mode === 'remote URL' ? `${rec.url}/get_reward` : path.join(INTEGRATIONS_DIR, 'openrlhf_reward_func.py');
      const { out } = await runPython([path.join(ENGINES_DIR, 'openrlhf_standin.py')], { remote_url, samples }, { STEPGRPO_REWARD_URL: rec.url });
      const refs = [{ answer: '7' }, { answer: '7', keySteps: KEY_STEPS.Steps }];
      samples.forEach((s, i) => {
        const expected = scoreChain(s.response, refs[Math.floor(i / responses.length)]!);
        assert.deepEqual(out[i].reward, [expected.total], `sample ${i}`);
        assert.deepEqual(out[i].scores, [expected.answer_correct ? 1 : 0]);
        assert.equal(Number(Array.isArray(out[i].extra_logs.r_val) ? out[i].extra_logs.r_val[0] : out[i].extra_logs.r_val), expected.r_val);
      });
      await rec.server.close();
      const { store, metrics } = await openRecorded(rec.dir);
      assert.deepEqual(store.steps(), [0]);
      const groups = store.groups(0);
      assert.deepEqual(groups.map((g) => [g.prompt, g.samples.length]).sort(), PROMPTS.map((p) => [p, responses.length]).sort());
      assert.equal(metrics.length, 1);
      assert.equal(metrics[0]!.values.chains, samples.length);
      assert.equal(metrics[0]!.values.groups, 2);
    });
  }

  it('OpenRLHF reward_func: a bad label raises an error naming the field', async () => {
    const rec = await recordingServer();
    server = rec.server;
    const samples = [{ prompt: PROMPTS[0], response: responses[0], label: '{"answer": "7", "key_steps": {"Steps": [["x", 3]]}}' }];
    const { out, stderr } = await runPython(
      [path.join(ENGINES_DIR, 'openrlhf_standin.py')],
      { remote_url: path.join(INTEGRATIONS_DIR, 'openrlhf_reward_func.py'), samples },
      { STEPGRPO_REWARD_URL: rec.url },
    );
    assert.equal(out[0].reward, null);
    assert.match(out[0].error, /HTTP 422 \(field labels\[0\]\.key_steps\.Steps\[0\]\[1\]\)/);
    assert.match(stderr, /Failed to fetch reward from remote RM: .*labels\[0\]\.key_steps/);
  });

  for (const name of ['compute_score', 'compute_score_sync'] as const) {
    it(`verl ${name}: one sample at a time, score + components as reward_extra_info, groups from extra_info.index`, async () => {
      const rec = await recordingServer({ stepGapMs: 300 });
      server = rec.server;
      const steps = [0, 1].map(() =>
        PROMPTS.flatMap((prompt, p) =>
          responses
            .slice(0, 3)
            .map((response) => ({ prompt, response, data_source: 'r1vl', ground_truth: { answer: '7', key_steps: KEY_STEPS }, extra_info: { index: p, prompt } })),
        ),
      );
      const { out } = await runPython(
        [path.join(ENGINES_DIR, 'verl_standin.py')],
        { path: path.join(INTEGRATIONS_DIR, 'verl_reward.py'), name, steps, pause_s: 0.8 },
        { STEPGRPO_REWARD_URL: rec.url },
      );
      const expected = steps[0]!.map((s) => scoreChain(s.response, { answer: '7', keySteps: KEY_STEPS.Steps }));
      assert.deepEqual(
        out.scores[0],
        expected.map((e) => e.total),
      );
      assert.deepEqual(out.extra[0][0], { score: expected[0]!.total, step_rar: expected[0]!.r_acc, step_rvr: 1, acc: 1, key_step_ratio: 1 });
      assert.equal(out.extra[0][2].step_rvr, 0, 'the step gap is invalid');
      await rec.server.close();
      const { store, metrics } = await openRecorded(rec.dir);
      assert.deepEqual(store.steps(), [0, 1], 'the pause between verl steps ends a recorded step');
      for (const step of [0, 1]) {
        assert.deepEqual(
          store
            .groups(step)
            .map((g) => [g.promptId, g.prompt, g.samples.length])
            .sort(),
          [
            ['r1vl:0', PROMPTS[0], 3],
            ['r1vl:1', PROMPTS[1], 3],
          ],
        );
      }
      assert.deepEqual(
        metrics.map((m) => m.step),
        [0, 1],
      );
      assert.equal(metrics[0]!.values['violations/STEP_GAP'], 2);
    });
  }

  it("TRL stepgrpo_reward (async): TRL's steps and groups, components through log_extra and log_metric", async () => {
    const rec = await recordingServer();
    server = rec.server;
    const steps = [3, 4].map((global_step) => ({
      global_step,
      rows: PROMPTS.map((prompt) => ({ prompt, completions: responses, answer: '7', key_steps: KEY_STEPS })),
    }));
    const { out } = await runPython(
      [path.join(ENGINES_DIR, 'trl_standin.py')],
      { path: path.join(INTEGRATIONS_DIR, 'trl_reward.py'), name: 'stepgrpo_reward', steps },
      { STEPGRPO_REWARD_URL: rec.url },
    );
    const expected = [...responses, ...responses].map((r) => scoreChain(r, { answer: '7', keySteps: KEY_STEPS.Steps }));
    assert.deepEqual(
      out.rewards[0],
      expected.map((e) => e.total),
    );
    assert.deepEqual(
      out.extra[0]['stepgrpo/step_rar'],
      expected.map((e) => e.r_acc),
    );
    assert.deepEqual(
      Object.keys(out.extra[0]).sort(),
      ['acc', 'answer', 'key_step_ratio', 'key_steps', 'step_rar', 'step_rvr'].map((k) => `stepgrpo/${k}`),
    );
    assert.deepEqual(JSON.parse(out.extra[0]['stepgrpo/key_steps'][0]), KEY_STEPS);
    assert.equal(out.metrics[0]['stepgrpo/validity_rate'][0], expected.filter((e) => e.validity === 1).length / expected.length);
    await rec.server.close();
    const { store, metrics } = await openRecorded(rec.dir);
    assert.deepEqual(store.steps(), [3, 4]);
    assert.deepEqual(
      store
        .groups(3)
        .map((g) => [g.prompt, g.samples.length])
        .sort(),
      PROMPTS.map((p) => [p, responses.length]).sort(),
    );
    assert.deepEqual(
      metrics.map((m) => [m.step, m.values.chains]),
      [
        [3, 8],
        [4, 8],
      ],
    );
  });
});

/** Qwen's chat template around a user turn, as OpenRLHF's dataset applies it before tokenizing. */
const chatPrompt = (text: string): string => `<|im_start|>user\n${text}<|im_end|>\n<|im_start|>assistant\n`;

describe('end-of-sequence text as each engine sends it scores like the bare chain', { skip: skipWithoutPython }, () => {
  let server: RewardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const chain = responses[0]!;
  const bare = scoreChain(chain, { answer: '7' });

  for (const mode of ['reward_func file', 'remote URL'] as const) {
    it(`OpenRLHF (${mode}): the query ends with the end token, skip_special_tokens=False; the recorded sample keeps it in raw`, async () => {
      const rec = await recordingServer();
      server = rec.server;
      const samples = [
        ...DEFAULT_END_MARKERS.map((eos_token) => ({ prompt: chatPrompt(`Marker ${eos_token}: how many shapes?`), response: chain, label: '7', eos_token })),
        { prompt: chatPrompt('Cut at max_tokens'), response: chain, label: '7', truncated: true },
      ];
      const remote_url = mode === 'remote URL' ? `${rec.url}/get_reward` : path.join(INTEGRATIONS_DIR, 'openrlhf_reward_func.py');
      const { out } = await runPython([path.join(ENGINES_DIR, 'openrlhf_standin.py')], { remote_url, samples }, { STEPGRPO_REWARD_URL: rec.url });
      samples.forEach((s, i) => {
        assert.equal(out[i].error, undefined, s.prompt);
        assert.deepEqual(out[i].reward, [bare.total], s.prompt);
        assert.deepEqual(out[i].scores, [1], s.prompt);
      });
      await rec.server.close();
      const { store } = await openRecorded(rec.dir);
      const recorded = store.groups(0).map((g) => g.samples[0]!);
      assert.equal(recorded.length, samples.length);
      for (const sample of recorded) {
        assert.equal(sample.text, chain);
        assert.deepEqual(sample.rewards, bare);
      }
      assert.deepEqual(recorded.map((r) => r.raw?.slice(chain.length) ?? '').sort(), [...DEFAULT_END_MARKERS, ''].sort());
    });
  }

  it('OpenRLHF: end_markers from the client environment replace the server list', async () => {
    const rec = await recordingServer();
    server = rec.server;
    const samples = [{ prompt: chatPrompt('q'), response: chain, label: '7', eos_token: '<|endoftext|>' }];
    const remote_url = path.join(INTEGRATIONS_DIR, 'openrlhf_reward_func.py');
    const { out } = await runPython(
      [path.join(ENGINES_DIR, 'openrlhf_standin.py')],
      { remote_url, samples },
      { STEPGRPO_REWARD_URL: rec.url, STEPGRPO_REWARD_END_MARKERS: '</s>' },
    );
    assert.deepEqual(out[0].reward, [scoreChain(`${chain}<|endoftext|>`, { answer: '7' }).total]);
    assert.notDeepEqual(out[0].reward, [bare.total], 'the marker left in makes the answer wrong');
  });

  for (const special of [true, false]) {
    const how = special ? 'the tokenizer lists it as special (decode skips it)' : 'the tokenizer leaves it as text';
    it(`verl compute_score: each end token, ${how}`, async () => {
      const rec = await recordingServer();
      server = rec.server;
      const steps = [
        DEFAULT_END_MARKERS.map((eos_token, p) => ({ prompt: `p${p}`, response: chain, data_source: 'r1vl', ground_truth: '7', extra_info: { index: p }, eos_token })),
      ];
      const { out } = await runPython(
        [path.join(ENGINES_DIR, 'verl_standin.py')],
        { path: path.join(INTEGRATIONS_DIR, 'verl_reward.py'), name: 'compute_score', steps, special_tokens: special ? DEFAULT_END_MARKERS : [] },
        { STEPGRPO_REWARD_URL: rec.url },
      );
      assert.deepEqual(
        out.scores[0],
        DEFAULT_END_MARKERS.map(() => bare.total),
      );
    });

    it(`TRL stepgrpo_reward: each end token, ${how}; a vision prompt's text parts are joined`, async () => {
      const rec = await recordingServer();
      server = rec.server;
      const vision = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'How many shapes?' }, { type: 'text', text: 'Answer with a number.' }] }];
      const rows = DEFAULT_END_MARKERS.map((eos_token, p) => ({ prompt: p === 0 ? vision : `p${p}`, completions: [chain, chain], answer: '7', eos_token }));
      const { out } = await runPython(
        [path.join(ENGINES_DIR, 'trl_standin.py')],
        { path: path.join(INTEGRATIONS_DIR, 'trl_reward.py'), name: 'stepgrpo_reward', steps: [{ global_step: 0, rows }], special_tokens: special ? DEFAULT_END_MARKERS : [] },
        { STEPGRPO_REWARD_URL: rec.url },
      );
      assert.deepEqual(
        out.rewards[0],
        rows.flatMap(() => [bare.total, bare.total]),
      );
      assert.deepEqual(Object.keys(out.extra[0]).sort(), ['stepgrpo/acc', 'stepgrpo/answer', 'stepgrpo/key_step_ratio', 'stepgrpo/step_rar', 'stepgrpo/step_rvr']);
      await rec.server.close();
      const { store } = await openRecorded(rec.dir);
      assert.ok(
        store.groups(0).some((g) => g.prompt === 'How many shapes?\nAnswer with a number.'),
        'the vision prompt is recorded as its text',
      );
    });
  }
});
