// The one rollout against a policy stub that hands back chosen chains: what it asks the sampler
// (one seed per sequence from the caller's stream, prompts cut to the policy's text length, G
// copies per prompt), and what it returns (scores by scoreChain, advantages by groupAdvantages: the
// independent references) and how its groups read as the protocol's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupAdvantages } from '../../../src/core/grpo';
import { resolveRewardConfig, scoreChain } from '../../../src/core/reward';
import type { PolicyRuntime } from '../../../src/model/family';
import type { SampleResult, SampleSettings } from '../../../src/model/kv-sampler';
import { Tokenizer } from '../../../src/model/tokenizer';
import type { Example } from '../../../src/trainer/data/example';
import { greedySampling, rollout, rolloutGroups } from '../../../src/trainer/rollout';
import { encodePrompt } from '../../../src/trainer/sequences';
import { buildChain } from '../../fixtures/chain-builder';

const RIGHT = buildChain({ answer: '7' });
const WRONG = buildChain({ answer: '8' });
const tok = Tokenizer.fit([RIGHT, WRONG, 'How many shapes are there?']);

const example = (promptId: string): Example => ({
  promptId,
  prompt: 'How many shapes are there?',
  image: null,
  imageSize: 1,
  solution: RIGHT,
  answer: '7',
  keySteps: ['7'],
});

/** A policy that samples `chains` in order and records the request. */
function stubPolicy(chains: string[], maxTextLen: number): { policy: PolicyRuntime; requests: (SampleSettings & { images: readonly Float32Array[] })[] } {
  const requests: (SampleSettings & { images: readonly Float32Array[] })[] = [];
  const stub = {
    maxTextLen,
    imageFor: (image: Float32Array | null) => image ?? new Float32Array(1),
    sample: async (req: SampleSettings & { images: readonly Float32Array[] }): Promise<SampleResult> => {
      requests.push(req);
      const completions = chains.map((c) => tok.completionIds(c));
      return { completions, stoppedAtEos: completions.map(() => true), logprobs: completions.map((ids) => ids.map(() => 0)) };
    },
  };
  return { policy: stub as unknown as PolicyRuntime, requests };
}

const reward = resolveRewardConfig('stepgrpo');

describe('rollout', () => {
  it('samples G chains per prompt with the caller’s seeds and scores them in groups', async () => {
    const chains = [RIGHT, WRONG, WRONG, WRONG];
    const { policy, requests } = stubPolicy(chains, 4);
    const examples = [example('a'), example('b')];
    const r = await rollout({
      policy,
      codec: tok,
      examples,
      sampling: { groupSize: 2, temperature: 1.2, topP: 0.9, topK: 40, repetitionPenalty: 1.1, maxNewTokens: 50, seedOf: (i) => 100 + i },
      reward,
    });
    const req = requests[0]!;
    assert.deepEqual(req.seeds, [100, 101, 102, 103]);
    assert.equal(req.temperature, 1.2);
    assert.equal(req.topP, 0.9);
    assert.equal(req.topK, 40);
    assert.equal(req.repetitionPenalty, 1.1);
    assert.equal(req.maxNewTokens, 50);
    assert.deepEqual(req.prompts, Array(4).fill(encodePrompt(tok, examples[0]!).ids.slice(0, 4)));
    assert.deepEqual(r.texts, chains);
    const expected = chains.map((c) => scoreChain(c, { answer: '7', keySteps: ['7'] }, reward));
    assert.deepEqual(r.rewards, expected);
    assert.deepEqual(
      r.advantages,
      groupAdvantages(
        expected.map((x) => x.total),
        2,
      ),
    );
    assert.ok(r.advantages[0]! > 0 && r.advantages[2] === 0, 'a tie gets no advantage');
  });

  it('greedy evaluation: one chain per prompt, temperature 0, seeded by the prompt’s index', async () => {
    const { policy, requests } = stubPolicy([RIGHT, WRONG, RIGHT], 64);
    await rollout({ policy, codec: tok, examples: ['a', 'b', 'c'].map(example), sampling: greedySampling(30), reward: reward });
    assert.deepEqual(requests[0]!.seeds, [0, 1, 2]);
    assert.equal(requests[0]!.temperature, 0);
    assert.equal(requests[0]!.prompts.length, 3);
  });

  it('reads as the protocol’s groups: one per prompt, G samples with their tokens, rewards and advantages', async () => {
    const { policy } = stubPolicy([RIGHT, WRONG], 64);
    const r = await rollout({ policy, codec: tok, examples: [example('a')], sampling: { ...greedySampling(30), groupSize: 2 }, reward: reward });
    const [group] = rolloutGroups(r, tok, () => ({ path: 'img.png' }));
    assert.equal(group!.promptId, 'a');
    assert.deepEqual(group!.image, { path: 'img.png' });
    assert.deepEqual(group!.reference, { answer: '7', keySteps: ['7'] });
    assert.deepEqual(
      group!.samples.map((s) => [s.text, s.tokens, s.rewards.total, s.advantage]),
      r.texts.map((text, i) => [text, r.completions[i]!.length, r.rewards[i]!.total, r.advantages[i]]),
    );
    assert.ok(
      group!.samples.every((s) => !('raw' in s)),
      'the tiny tokenizer has no raw text apart from the chain',
    );
  });
});
