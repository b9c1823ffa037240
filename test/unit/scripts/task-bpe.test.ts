// scripts/task-bpe.ts: the task's byte-level BPE loads through the HF tokenizer seam, round-trips the
// task's texts (held-out ones it never saw included) and arbitrary Unicode, keeps the ChatML specials
// whole, and a model folder with it loads as any HF folder does (scripts/hf-learning.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HfTokenizer } from '../../../src/model/hf/tokenizer';
import { SyntheticTask } from '../../../src/trainer/data/synthetic-task';
import { loadHfFolder } from '../../../src/trainer/hf-folder';
import { HfChainCodec } from '../../../src/model/hf/chain-codec';
import { IM_END, IM_START, trainTaskBpe, taskTrainingTexts } from '../../../scripts/task-bpe';
import { writeTinyTaskModel } from '../../../scripts/hf-learning';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-task-bpe-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the task BPE tokenizer', () => {
  const bpe = trainTaskBpe(taskTrainingTexts({ trainSize: 300, evalSize: 40 }), 1000);
  const tok = new HfTokenizer(bpe.tokenizerJson, bpe.tokenizerConfig);

  it('has 256 bytes, its merges and the three specials, eos <|im_end|>', () => {
    assert.equal(bpe.vocabSize, 256 + bpe.merges + 3);
    assert.ok(bpe.merges > 100);
    assert.equal(tok.vocabSize, bpe.vocabSize);
    assert.equal(tok.eos, bpe.ids.imEnd);
    assert.equal(tok.pad, bpe.ids.endoftext);
  });

  it('round-trips held-out texts and any Unicode', () => {
    const task = new SyntheticTask({ trainSize: 300, evalSize: 40, sceneInPrompt: true });
    const texts = [...Array.from({ length: 40 }, (_, i) => task.evalAt(i)).flatMap((e) => [e.prompt, e.solution]), 'héllo ✓ 日本語 \t x  y\n\n', ''];
    for (const t of texts) assert.equal(tok.decode(tok.encode(t, { addSpecialTokens: false }), { skipSpecialTokens: true }), t);
    // Merged: far fewer tokens than bytes.
    const s = task.evalAt(0).solution;
    assert.ok(tok.encode(s, { addSpecialTokens: false }).length < s.length / 3);
  });

  it('keeps the specials whole', () => {
    const ids = tok.encode(`${IM_START}user\nhi${IM_END}\n`, { addSpecialTokens: false });
    assert.equal(ids[0], bpe.ids.imStart);
    assert.ok(ids.includes(bpe.ids.imEnd));
  });

  it('makes a model folder that loads, with the ChatML template', () => {
    const dir = path.join(tmp, 'model');
    const m = writeTinyTaskModel(dir, { hidden: 32, layers: 1, heads: 2, kvHeads: 1, intermediate: 64, seed: 1, merges: 50 });
    const folder = loadHfFolder(dir);
    assert.equal(folder.config.vocabSize, m.vocabSize);
    assert.deepEqual(folder.eosTokenIds.slice(0, 1), [folder.tokenizer.eos]);
    const codec = new HfChainCodec(folder.tokenizer, {
      chat: true,
      chatTemplate: folder.chatTemplate,
      chatTemplateSource: folder.chatTemplateSource,
      systemPrompt: null,
      eosTokenIds: folder.eosTokenIds,
    });
    assert.equal(codec.promptText('Q?'), '<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n');
  });
});
