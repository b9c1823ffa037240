// Evaluation's chain-mode control against a scripted policy: one prompt it answers directly
// (wrong), one it reasons through (right), and a full chain (right) wherever its prompt already
// ends with the forced Rationales header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveRewardConfig } from '../../../src/core/reward';
import type { PolicyRuntime } from '../../../src/model/family';
import type { SampleResult, SampleSettings } from '../../../src/model/kv-sampler';
import { Tokenizer } from '../../../src/model/tokenizer';
import type { Example, TaskSource } from '../../../src/trainer/data/example';
import { HEADERS, formatDirectAnswer } from '../../../src/trainer/data/solution-format';
import { evaluate, evaluateChains } from '../../../src/trainer/evaluate';
import { fullChainPrefixes } from '../../../src/trainer/full-chain';
import { rlGain } from '../../../src/trainer/rl-gain';
import { encodePrompt } from '../../../src/trainer/sequences';
import { DEFAULT_SPEC, buildChain } from '../../fixtures/chain-builder';

const FULL = buildChain({ answer: '7' });
const DIRECT = formatDirectAnswer({ description: DEFAULT_SPEC.description!, answer: '8' });
const tok = Tokenizer.fit([FULL, DIRECT, 'Direct? Reasoned?']);
const ids = (text: string): number[] => tok.completionIds(text).slice(0, -1);
const RATIONALE = ids(HEADERS.rationale);
/** What the scripted policy writes after a forced Rationales header: the rest of FULL. */
const AFTER_RATIONALE = tok.completionIds(FULL.slice(FULL.indexOf(HEADERS.rationale) + HEADERS.rationale.length));

const example = (prompt: string): Example => ({ promptId: prompt, prompt, image: null, imageSize: 1, solution: FULL, answer: '7', keySteps: ['7'] });
const EXAMPLES = [example('Direct?'), example('Reasoned?')];
const DIRECT_PROMPT = encodePrompt(tok, EXAMPLES[0]!).ids;

function scriptedPolicy(): { policy: PolicyRuntime; requests: SampleSettings[] } {
  const requests: SampleSettings[] = [];
  const stub = {
    maxTextLen: 512,
    imageFor: () => new Float32Array(1),
    sample: async (req: SampleSettings): Promise<SampleResult> => {
      requests.push(req);
      const completions = req.prompts.map((p) =>
        p.at(-1) === RATIONALE[0]
          ? AFTER_RATIONALE
          : p.length === DIRECT_PROMPT.length && p.every((id, i) => id === DIRECT_PROMPT[i])
            ? tok.completionIds(DIRECT)
            : tok.completionIds(FULL),
      );
      return { completions, stoppedAtEos: completions.map(() => true), logprobs: completions.map((c) => c.map(() => 0)) };
    },
  };
  return { policy: stub as unknown as PolicyRuntime, requests };
}

const reward = resolveRewardConfig('stepgrpo');

describe('the full-chain control', () => {
  it('replaces the header after the description with Rationales, and leaves full chains alone', () => {
    const [direct, full] = fullChainPrefixes(tok, [tok.completionIds(DIRECT), tok.completionIds(FULL)]);
    assert.equal(tok.chainText(direct!), `${DIRECT.slice(0, DIRECT.indexOf(HEADERS.answer))}${HEADERS.rationale}`);
    assert.equal(full, null);
    assert.deepEqual(fullChainPrefixes(tok, [ids('no headers at all')]), [null]);
  });

  it('decodes only the direct answers again, from their prompt and the forced prefix', async () => {
    const { policy, requests } = scriptedPolicy();
    const chains = await evaluateChains(policy, tok, EXAMPLES, 400, reward);
    assert.equal(requests.length, 2);
    assert.deepEqual(requests[1]!.prompts, [[...DIRECT_PROMPT, ...fullChainPrefixes(tok, [tok.completionIds(DIRECT)])[0]!]]);
    assert.deepEqual(requests[1]!.seeds, [0], 'seeded by the prompt’s index, as its greedy chain was');
    assert.deepEqual(
      chains.greedy.map((r) => r.answer_correct),
      [false, true],
    );
    assert.deepEqual(
      chains.fullChain.map((r) => [r.answer_correct, r.validity]),
      [
        [true, 1],
        [true, 1],
      ],
    );
  });

  it('reports eval/accuracy_full_chain beside greedy accuracy', async () => {
    const data = { evalSize: 2, evalAt: (i: number) => EXAMPLES[i]! } as TaskSource;
    const m = await evaluate(scriptedPolicy().policy, tok, data, 10, 400, reward);
    assert.equal(m['eval/accuracy'], 0.5);
    assert.equal(m['eval/accuracy_full_chain'], 1);
    assert.equal(m['eval/prompts'], 2);
  });

  it('a forced prefix counts against maxNewTokens', async () => {
    const chains = await evaluateChains(scriptedPolicy().policy, tok, EXAMPLES, ids(DIRECT).length, reward);
    assert.equal(chains.fullChain[0]!.answer_correct, false, 'the forced chain is cut before its answer');
  });

  it('pairs RL against both SFT figures', async () => {
    const sft = await evaluateChains(scriptedPolicy().policy, tok, EXAMPLES, 400, reward);
    const g = rlGain(sft, sft.fullChain);
    assert.deepEqual(g.accuracy, { sftGreedy: 0.5, sftFullChain: 1, rl: 1 });
    assert.deepEqual([g.overGreedy.up, g.overGreedy.down, g.overGreedy.change], [1, 0, 0.5]);
    assert.deepEqual([g.overFullChain.up, g.overFullChain.down, g.overFullChain.change, g.overFullChain.se], [0, 0, 0, 0]);
  });
});
