// Questions and reasoning chains as an HF model's token ids: the question goes through the model's
// chat template (a system prompt asking for the R1-VL chain format, then the user turn, then the
// assistant's opening), the chain follows and ends with the model's end-of-turn token. Without a
// chat template (or with chat off), the question is plain text with the tokenizer's own specials.
import type { ChainCodec } from '../family';
import { type ChatMessage, type ChatTemplateSpec, renderChat } from './chat-template';
import type { HfTokenizer } from './tokenizer';

/** Asks for the chain in the section format StepRVR checks (R1-VL's training prompt, in words). */
export const R1VL_SYSTEM_PROMPT =
  'Solve the problem step by step. Answer in this format: "### Image Description:" (what the question describes), ' +
  '"### Rationales:" (the idea of the solution), "### Let\'s think step by step." followed by "### Step 1:", "### Step 2:", … ' +
  'and end with "### The final answer is: " and the answer.';

export interface HfChainFormat {
  chat: boolean;
  chatTemplate: ChatTemplateSpec | null;
  chatTemplateSource: string;
  /** null = no system turn. */
  systemPrompt: string | null;
  /** End-of-sequence ids; the first ends a supervised chain. */
  eosTokenIds: readonly number[];
}

export class HfChainCodec implements ChainCodec {
  readonly vocabSize: number;

  constructor(
    readonly tokenizer: HfTokenizer,
    readonly format: HfChainFormat,
  ) {
    if (format.eosTokenIds.length === 0) throw new Error('hf model: no end-of-sequence id (config.json, generation_config.json and tokenizer_config.json name none)');
    this.vocabSize = tokenizer.vocabSize;
  }

  /** The prompt text the model sees for a question (the rendered chat, or the question and a newline). */
  promptText(prompt: string): string {
    if (!this.format.chat) return `${prompt}\n`;
    const messages: ChatMessage[] = [...(this.format.systemPrompt ? [{ role: 'system', content: this.format.systemPrompt }] : []), { role: 'user', content: prompt }];
    const tok = this.tokenizer;
    return renderChat(this.format.chatTemplate, messages, {
      addGenerationPrompt: true,
      bosToken: tok.bos === null ? null : tok.tokenOf(tok.bos),
      eosToken: tok.eos === null ? null : tok.tokenOf(tok.eos),
      // Qwen3: the chain is the reasoning; no separate thinking block.
      extra: { enable_thinking: false },
      source: this.format.chatTemplateSource,
    });
  }

  promptIds(prompt: string): number[] {
    // A rendered chat carries its own specials; plain text gets the tokenizer's (e.g. BOS).
    return this.tokenizer.encode(this.promptText(prompt), { addSpecialTokens: !this.format.chat });
  }

  completionIds(solution: string): number[] {
    return [...this.tokenizer.encode(solution, { addSpecialTokens: false }), this.format.eosTokenIds[0]!];
  }

  rawText(ids: readonly number[]): string {
    const known = this.tokenizer.vocabSize;
    return this.tokenizer.decode(
      ids.filter((id) => id < known),
      { skipSpecialTokens: false },
    );
  }

  chainText(ids: readonly number[]): string {
    const ends = new Set(this.format.eosTokenIds);
    // Embedding rows past the tokenizer's ids (vocab_size padded to a multiple, as Qwen's 151,936 for
    // 151,669 ids) can be sampled from an untrained model; they stand for no text.
    const known = this.tokenizer.vocabSize;
    return this.tokenizer.decode(
      ids.filter((id) => !ends.has(id) && id < known),
      { skipSpecialTokens: true },
    );
  }
}
