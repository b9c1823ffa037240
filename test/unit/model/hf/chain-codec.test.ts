// Questions and chains as an HF model's ids, with Qwen3's real tokenizer and chat template.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HfChainCodec } from '../../../../src/model/hf/chain-codec';
import { readChatTemplate } from '../../../../src/model/hf/chat-template';
import { HfTokenizer } from '../../../../src/model/hf/tokenizer';
import { QWEN3_EOS, qwen3TokenizerFiles } from '../../../hf/tiny-checkpoint';

const files = qwen3TokenizerFiles();
const tokenizer = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
const codec = (chat: boolean, systemPrompt: string | null = 'Answer in steps.'): HfChainCodec =>
  new HfChainCodec(tokenizer, {
    chat,
    chatTemplate: readChatTemplate(files.tokenizerConfig!.chat_template),
    chatTemplateSource: 'tokenizer_config.json',
    systemPrompt,
    eosTokenIds: [QWEN3_EOS, 151643],
  });

describe('HF chain codec', () => {
  it('wraps the question in the chat template (system turn, generation prompt, thinking off)', () => {
    const c = codec(true);
    const text = c.promptText('How many circles?');
    assert.equal(text, '<|im_start|>system\nAnswer in steps.<|im_end|>\n<|im_start|>user\nHow many circles?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
    assert.equal(tokenizer.decode(c.promptIds('How many circles?'), { skipSpecialTokens: false }), text);
  });

  it('plain text without chat: the question and a newline', () => {
    assert.equal(tokenizer.decode(codec(false).promptIds('How many?'), { skipSpecialTokens: false }), 'How many?\n');
  });

  it('a supervised chain ends with the first end-of-sequence id, and its text drops every end id', () => {
    const c = codec(true);
    const ids = c.completionIds('### The final answer is: 3');
    assert.equal(ids.at(-1), QWEN3_EOS);
    assert.equal(c.chainText([...ids, 151643]), '### The final answer is: 3');
    assert.equal(c.rawText(ids), '### The final answer is: 3<|im_end|>', 'the chain as written keeps the end token');
  });

  it('ids past the tokenizer (padded embedding rows) stand for no text instead of failing', () => {
    const c = codec(true);
    const ids = [...c.completionIds('5 shapes').slice(0, -1), tokenizer.vocabSize + 100];
    assert.equal(c.chainText(ids), '5 shapes');
  });
});
