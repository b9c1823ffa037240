// A model's chat template (tokenizer_config.json `chat_template`, or chat_template.jinja) rendered as
// transformers' `apply_chat_template(tokenize=False)` does: @huggingface/jinja with trim_blocks and
// lstrip_blocks, the messages, `add_generation_prompt`, the special tokens as strings, and any extra
// variables (Qwen3's `enable_thinking`, for one). Pure: the caller reads the files.
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: string;
  content: string;
}

/** A template string, or the list-of-named-templates form ({name, template}; "default" is used unless named). */
export type ChatTemplateSpec = string | ReadonlyArray<{ name: string; template: string }>;

export interface RenderChatOptions {
  /** End with the assistant turn's opening, so the model writes the answer. */
  addGenerationPrompt: boolean;
  bosToken: string | null;
  eosToken: string | null;
  /** More template variables, e.g. {enable_thinking: false} for Qwen3. */
  extra?: Record<string, unknown>;
  /** Which named template of the list form (default "default", or the only one). */
  name?: string;
  /** Where the template came from, for errors (default tokenizer_config.json). */
  source?: string;
}

export class ChatTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatTemplateError';
  }
}

/** Checks the `chat_template` value read from a file: a string, a list of {name, template}, or absent (null). */
export function readChatTemplate(value: unknown, source = 'tokenizer_config.json'): ChatTemplateSpec | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    value.forEach((t, i) => {
      if (typeof t !== 'object' || t === null || typeof (t as { name?: unknown }).name !== 'string' || typeof (t as { template?: unknown }).template !== 'string') {
        throw new ChatTemplateError(`${source}: chat_template[${i}]: expected {"name": string, "template": string}, got ${JSON.stringify(t)?.slice(0, 80)}`);
      }
    });
    return value as Array<{ name: string; template: string }>;
  }
  throw new ChatTemplateError(`${source}: chat_template: expected a string or a list of {name, template}, got ${JSON.stringify(value)?.slice(0, 80)}`);
}

/** The template text to render: the string itself, or the named (else "default", else the only) entry of the list form. */
export function selectChatTemplate(spec: ChatTemplateSpec | null | undefined, name?: string, source = 'tokenizer_config.json'): string {
  if (spec === null || spec === undefined || spec === '') {
    throw new ChatTemplateError(
      `${source} has no chat_template: this model has no chat format. Turn chat formatting off (--chat off) to feed the plain prompt, or use a model folder whose tokenizer_config.json (or chat_template.jinja) has one.`,
    );
  }
  if (typeof spec === 'string') {
    if (name !== undefined) throw new ChatTemplateError(`${source}: chat_template is a single template; there is no template named ${JSON.stringify(name)}`);
    return spec;
  }
  const names = spec.map((t) => t.name);
  const wanted = name ?? (spec.length === 1 ? spec[0]!.name : 'default');
  const found = spec.find((t) => t.name === wanted);
  if (!found) throw new ChatTemplateError(`${source}: chat_template has no template named ${JSON.stringify(wanted)} (it has ${names.map((n) => JSON.stringify(n)).join(', ')})`);
  return found.template;
}

/** The conversation as the model was trained to see it (a string; tokenize it without adding specials). */
export function renderChat(spec: ChatTemplateSpec | null | undefined, messages: readonly ChatMessage[], options: RenderChatOptions): string {
  const source = options.source ?? 'tokenizer_config.json';
  const text = selectChatTemplate(spec, options.name, source);
  let template: Template;
  try {
    template = new Template(text);
  } catch (e) {
    throw new ChatTemplateError(`${source}: chat_template does not parse: ${(e as Error).message}`);
  }
  try {
    return template.render({
      ...options.extra,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: options.addGenerationPrompt,
      // As transformers passes them: only the tokens the tokenizer has (an absent one is undefined).
      ...(options.bosToken === null ? {} : { bos_token: options.bosToken }),
      ...(options.eosToken === null ? {} : { eos_token: options.eosToken }),
    });
  } catch (e) {
    throw new ChatTemplateError(`${source}: chat_template failed to render: ${(e as Error).message}`);
  }
}
