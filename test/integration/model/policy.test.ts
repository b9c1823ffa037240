// Policy runtime: memorising a handful of image+text examples, KV-cache sampling equal to full
// recomputation, sampler options, and clear errors on bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession } from '../../../src/engine';
import { type SampleResult, createPolicySessions } from '../../../src/model';
import { PREFILL_ROWS } from '../../../src/model/kv-sampler';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../../src/trainer/config';
import { randomImage, randomTokens, rows, tinyConfig } from './fixtures';
import { Rng } from '../../../src/model/rng';

const TOKENS = { pad: 0, eos: 2 };

/** Cached sampling's log-probs against full recomputation's, token by token. */
function assertLogprobsClose(cached: SampleResult, full: SampleResult): void {
  cached.logprobs.flat().forEach((lp, k) => assert.ok(Math.abs(lp - full.logprobs.flat()[k]!) < 1e-4, `token ${k}: log-prob ${lp} vs ${full.logprobs.flat()[k]}`));
}

/** Runs `body`, recording each prefill run's rows and text length. */
async function recordingPrefills<T>(body: () => Promise<T>): Promise<{ runs: { rows: number; L: number }[]; result: T }> {
  const runs: { rows: number; L: number }[] = [];
  const run = EngineSession.prototype.run;
  EngineSession.prototype.run = function (this: EngineSession, feeds, fetch) {
    if (this.label.includes('prefill')) runs.push({ rows: feeds.patches!.shape[0]!, L: feeds.ids?.shape[1] ?? 0 });
    return run.call(this, feeds, fetch);
  };
  try {
    return { runs, result: await body() };
  } finally {
    EngineSession.prototype.run = run;
  }
}

describe('policy runtime', () => {
  it('memorises a handful of image+text examples (SFT loss → near zero)', async () => {
    const rng = new Rng(501);
    const c = tinyConfig({ vocabSize: 24, dModel: 32, nHeads: 4, dFF: 64, maxTextLen: 12, image: { channels: 3, size: 8, patchSize: 4 } });
    const policy = await createPolicySessions(c, {
      seed: 3,
      tokens: TOKENS,
      runtime: { threads: 1 },
      optimizer: { adamw: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 }, maxGradNorm: 1 },
    });
    // Same text prompt for every example: only the image tells which answer to give.
    const prompt = [1, 5, 6];
    const tokens = Array.from({ length: 6 }, () => [...prompt, ...randomTokens(rng, c, 6, 7), 2]);
    const images = tokens.map(() => randomImage(rng, c));
    const lossMask = rows(
      tokens.map((t) => t.length),
      (_, j) => (j + 1 >= prompt.length ? 1 : 0),
    );
    let loss = Infinity;
    const first = (await policy.trainStep({ images, tokens, lossMask, lr: 3e-3, objective: { kind: 'sft' } })).loss;
    for (let i = 0; i < 300 && loss > 0.02; i++) loss = (await policy.trainStep({ images, tokens, lossMask, lr: 3e-3, objective: { kind: 'sft' } })).loss;
    console.log(`  SFT loss ${first.toFixed(3)} → ${loss.toFixed(4)} after ${policy.optimizerState.step} steps`);
    assert.ok(loss < 0.05, `loss stayed at ${loss}`);
    const greedy = await policy.sample({ images, prompts: tokens.map(() => prompt), seeds: tokens.map((_, i) => i), temperature: 0, maxNewTokens: 9 });
    assert.deepEqual(
      greedy.completions,
      tokens.map((t) => t.slice(prompt.length)),
    );
    assert.ok(greedy.stoppedAtEos.every(Boolean));
    await policy.release();
  });

  // Shortest prompts of 1, 2 and 7 tokens: prefills of 0, 1 and 4 text positions before decoding.
  for (const extra of [0, 1, 6]) {
    it(`KV-cache sampling yields exactly the tokens of full recomputation under the same seeds (prompts ${extra + 1}–${extra + 3} tokens)`, async () => {
      const rng = new Rng(502);
      const c = tinyConfig({ vocabSize: 40, dModel: 16, maxTextLen: 24, image: { channels: 3, size: 8, patchSize: 4 } });
      const policy = await createPolicySessions(c, { seed: 40 + extra, tokens: TOKENS, runtime: { threads: 1 } });
      const n = 5;
      const req = {
        images: Array.from({ length: n }, () => randomImage(rng, c)),
        prompts: Array.from({ length: n }, (_, i) => [1, ...randomTokens(rng, c, extra + (i % 3))]), // different prompt lengths
        seeds: Array.from({ length: n }, () => Math.floor(rng.next() * 2 ** 31)),
        temperature: 1.2,
        topP: 0.95,
        maxNewTokens: 20,
      };
      const cached = await policy.sample(req);
      const full = await policy.sample({ ...req, useCache: false });
      assert.deepEqual([cached.completions, cached.stoppedAtEos], [full.completions, full.stoppedAtEos]);
      assertLogprobsClose(cached, full);
      assert.ok(cached.completions.some((x) => x.length > 3));
      const again = await policy.sample(req);
      assert.deepEqual(again, cached, 'same seeds reproduce the same tokens');
      await policy.release();
    });
  }

  it('GRPO groups (the same image values and prompt) share one prefill and sample exactly the tokens of full recomputation', async () => {
    const rng = new Rng(504);
    const c = tinyConfig({ vocabSize: 40, dModel: 16, maxTextLen: 24, image: { channels: 3, size: 8, patchSize: 4 } });
    const policy = await createPolicySessions(c, { seed: 44, tokens: TOKENS, runtime: { threads: 1 } });
    const shared = randomImage(rng, c);
    const prompt = [1, ...randomTokens(rng, c, 4)];
    // Two groups of three: copies of one image with one prompt, and a second image with the same
    // prompt, which must not take the first group's prefill.
    const other = randomImage(rng, c);
    const images = [shared, shared.slice(), shared.slice(), other, other, other.slice()];
    const req = {
      images,
      prompts: images.map(() => prompt),
      seeds: images.map((_, i) => 900 + i),
      temperature: 1.2,
      maxNewTokens: 16,
    };
    try {
      const prefills = await recordingPrefills(() => policy.sample(req));
      const cached = prefills.result;
      const full = await policy.sample({ ...req, useCache: false });
      assert.deepEqual(
        prefills.runs.map((r) => r.rows),
        [2],
        'one prefill row per group',
      );
      assert.deepEqual(cached.completions, full.completions);
      assertLogprobsClose(cached, full);
      assert.notDeepEqual(cached.completions.slice(0, 3), cached.completions.slice(3), 'the two groups sample from different images');
    } finally {
      await policy.release();
    }
  });

  it('prefills many distinct prompts in runs of similar length and samples exactly the tokens of full recomputation', async () => {
    const rng = new Rng(506);
    const c = tinyConfig({ vocabSize: 40, dModel: 16, maxTextLen: 24, image: { channels: 3, size: 8, patchSize: 4 } });
    const policy = await createPolicySessions(c, { seed: 46, tokens: TOKENS, runtime: { threads: 1 } });
    const n = 2 * PREFILL_ROWS + 5;
    const req = {
      images: Array.from({ length: n }, () => randomImage(rng, c)),
      prompts: Array.from({ length: n }, (_, i) => [1, ...randomTokens(rng, c, (i * 7) % 9)]),
      seeds: Array.from({ length: n }, (_, i) => 300 + i),
      temperature: 1.1,
      maxNewTokens: 12,
    };
    try {
      const { runs: prefills, result: cached } = await recordingPrefills(() => policy.sample(req));
      assert.deepEqual(
        prefills.map((p) => p.rows),
        [PREFILL_ROWS, PREFILL_ROWS, 5],
      );
      assert.ok(
        prefills.every((p, i) => i === 0 || p.L >= prefills[i - 1]!.L),
        `runs sorted by length: ${prefills.map((p) => p.L).join(', ')}`,
      );
      const full = await policy.sample({ ...req, useCache: false });
      assert.deepEqual(cached.completions, full.completions);
      assertLogprobsClose(cached, full);
    } finally {
      await policy.release();
    }
  });

  it('both decode sessions hold the weights baked in, built again when they change in place or by a train step', async () => {
    const rng = new Rng(505);
    const c = tinyConfig({ vocabSize: 40, dModel: 16, maxTextLen: 24, image: { channels: 3, size: 8, patchSize: 4 } });
    const policy = await createPolicySessions(c, { seed: 45, tokens: TOKENS, runtime: { threads: 1 } });
    const n = 40; // above DECODE_WIDE_ROWS; finished sequences leave, so the narrow session decodes the tail
    const req = {
      images: Array.from({ length: n }, () => randomImage(rng, c)),
      prompts: Array.from({ length: n }, () => [1, ...randomTokens(rng, c, 3)]),
      seeds: Array.from({ length: n }, (_, i) => 300 + i),
      temperature: 1.2,
      maxNewTokens: 12,
    };
    const built: string[] = [];
    const create = EngineSession.create;
    EngineSession.create = async (model, options) => {
      if (options?.label?.includes('decode')) built.push(options.label.replace('policy ', ''));
      return create.call(EngineSession, model, options);
    };
    /** What a policy made afresh from the current weights samples (its sessions are not recorded). */
    const fresh = async (): Promise<number[][]> => {
      const recorded = built.length;
      const other = await createPolicySessions(c, { params: new Map([...policy.params].map(([k, v]) => [k, v.slice()])), tokens: TOKENS, runtime: { threads: 1 } });
      try {
        return (await other.sample(req)).completions;
      } finally {
        await other.release();
        built.length = recorded;
      }
    };
    const twice = async (): Promise<[number[][], number[][]]> => [(await policy.sample(req)).completions, (await policy.sample(req)).completions];
    try {
      const [first, again] = await twice();
      assert.deepEqual(again, first);
      assert.deepEqual(built, ['decode-wide v1', 'decode v1'], 'unchanged weights keep the sessions');
      const wte = policy.params.get('wte')!;
      for (let i = 0; i < wte.length; i++) wte[i] = wte[i]! * 3;
      const reference = await fresh();
      assert.notDeepEqual(reference, first);
      assert.deepEqual(await twice(), [reference, reference], 'a change in place');
      const tokens = req.prompts.slice(0, 4).map((p) => [...p, 5, 6, 2]);
      await policy.trainStep({
        images: req.images.slice(0, 4),
        tokens,
        lossMask: rows(
          tokens.map((t) => t.length),
          (_, j) => (j >= 4 ? 1 : 0),
        ),
        lr: 0.05,
        objective: { kind: 'sft' },
      });
      const trained = await fresh();
      assert.deepEqual(await twice(), [trained, trained], 'a train step');
      assert.deepEqual(built, ['decode-wide v1', 'decode v1', 'decode-wide v2', 'decode v2', 'decode-wide v3', 'decode v3']);
    } finally {
      EngineSession.create = create;
      await policy.release();
    }
  });

  it('a sequence samples the same tokens and log-prob bits alone as in a wide batch', async () => {
    const rng = new Rng(509);
    const c = tinyConfig({ vocabSize: 40, dModel: 16, maxTextLen: 24, image: { channels: 3, size: 8, patchSize: 4 } });
    const policy = await createPolicySessions(c, { seed: 46, tokens: TOKENS, runtime: { threads: 1 } });
    const n = 40; // above DECODE_WIDE_ROWS: the batch decodes on the wide session, each sequence alone on the narrow one
    const req = {
      images: Array.from({ length: n }, () => randomImage(rng, c)),
      prompts: Array.from({ length: n }, (_, i) => [1, ...randomTokens(rng, c, 1 + (i % 5))]),
      seeds: Array.from({ length: n }, (_, i) => 700 + i),
      temperature: 1.2,
      maxNewTokens: 12,
    };
    try {
      const batch = await policy.sample(req);
      for (let i = 0; i < n; i++) {
        const alone = await policy.sample({ images: [req.images[i]!], prompts: [req.prompts[i]!], seeds: [req.seeds[i]!], temperature: 1.2, maxNewTokens: 12 });
        assert.deepEqual(alone.completions[0], batch.completions[i], `sequence ${i}`);
        assert.deepEqual(alone.logprobs[0], batch.logprobs[i], `sequence ${i}: log-prob bits`);
      }
    } finally {
      await policy.release();
    }
  });

  it('logprobs agree with a train step on the same data and are aligned to predicted tokens', async () => {
    const rng = new Rng(503);
    const c = tinyConfig();
    const policy = await createPolicySessions(c, { seed: 1, tokens: TOKENS, grpo: grpoLossConfig(TRAIN_DEFAULTS.rl), runtime: { threads: 1 } });
    const tokens = [randomTokens(rng, c, 6), randomTokens(rng, c, 3)];
    const images = tokens.map(() => randomImage(rng, c));
    const r = await policy.logprobs({ images, tokens });
    assert.deepEqual(
      r.logp.map((x) => x.length),
      [5, 2],
    );
    assert.ok(r.logp.flat().every((x) => x < 0));
    const mask = rows([6, 3], () => 1);
    const sft = await policy.trainStep({ images, tokens, lossMask: mask, lr: 0, objective: { kind: 'sft' } });
    const expected = -r.logp.flat().reduce((a, b) => a + b, 0) / 7;
    assert.ok(Math.abs(sft.loss - expected) < 1e-5, `${sft.loss} vs ${expected}`);
    const grpo = await policy.trainStep({ images, tokens, lossMask: mask, lr: 0, objective: { kind: 'grpo', oldLogp: r.logp, refLogp: r.logp, advantages: [1, -1] } });
    assert.ok(Math.abs(grpo.metrics.kl!) < 1e-6 && grpo.metrics.clip_ratio === 0);
    await policy.release();
  });

  it('reports bad input clearly', async () => {
    const rng = new Rng(504);
    const c = tinyConfig();
    const policy = await createPolicySessions(c, { seed: 1, tokens: TOKENS });
    const images = [randomImage(rng, c)];
    await assert.rejects(policy.logprobs({ images, tokens: [[1, 99]] }), /token id 99 outside vocabulary of 13/);
    await assert.rejects(policy.logprobs({ images: [new Float32Array(3)], tokens: [[1, 2]] }), /batch item 0: image: expected 1×4×4 = 16 values, got 3/);
    await assert.rejects(policy.sample({ images, prompts: [[1]], seeds: [1], topP: 0 }), /topP must be in \(0, 1\]/);
    await assert.rejects(policy.trainStep({ images, tokens: [[1, 3, 4]], lossMask: [[1, 1, 1]], lr: 1, objective: { kind: 'sft' } }), /lossMask: row 0 has 3 entries/);
    await assert.rejects(
      policy.trainStep({ images, tokens: [[1, 3, 4]], lossMask: [[1, 1]], lr: 1, objective: { kind: 'grpo', refLogp: [[-1, -1]], advantages: [1] } }),
      /a GRPO step needs the loss settings/,
    );
    await assert.rejects(createPolicySessions({ vocabSize: 10, dModel: 30, nHeads: 4 }, { tokens: TOKENS }), /dModel 30 is not divisible by nHeads 4/);
  });
});
