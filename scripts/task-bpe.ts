// A small byte-level BPE tokenizer for the synthetic task's text form, in the Hugging Face
// tokenizer.json format (model BPE with vocab + merges, ByteLevel pre-tokenizer and decoder, ChatML
// special tokens), trained with a plain merge loop on the training split only (prompts and
// demonstrations; the held-out split is never read). With ~1,000 ids instead of Qwen3's 151,936, a
// tiny HF-shaped model trains in minutes on a laptop CPU (scripts/hf-learning.ts).
//
//   node --import tsx scripts/task-bpe.ts <out-folder> [merges=700]
//
// writes tokenizer.json and tokenizer_config.json (ChatML chat template, eos <|im_end|>).
import fs from 'node:fs';
import path from 'node:path';
import { SyntheticTask, type SyntheticTaskOptions } from '../src/trainer/data/synthetic-task';

export const ENDOFTEXT = '<|endoftext|>';
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';
export const SPECIAL_TOKENS = [ENDOFTEXT, IM_START, IM_END] as const;

export const CHATML_TEMPLATE =
  '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

/** GPT-2's pre-tokenizer regex, which @huggingface/tokenizers' ByteLevel (use_regex) applies. */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → printable character table (ByteLevel). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => (out[b] = String.fromCharCode(cs[i]!)));
  return out;
})();

const encoder = new TextEncoder();
const byteLevel = (piece: string): string => Array.from(encoder.encode(piece), (b) => BYTE_TO_CHAR[b]!).join('');

export interface BpeResult {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Ids: 256 bytes, then merges, then the special tokens. */
  vocabSize: number;
  merges: number;
  ids: { endoftext: number; imStart: number; imEnd: number };
}

/** Trains `merges` BPE merges (fewer if pairs run out) over the texts. Deterministic: ties go to the lexicographically first pair. */
export function trainTaskBpe(texts: Iterable<string>, merges: number): BpeResult {
  // Word types (pre-tokens in the byte alphabet) with their counts.
  const counts = new Map<string, number>();
  for (const t of texts) for (const m of t.match(GPT2_PATTERN) ?? []) counts.set(byteLevel(m), (counts.get(byteLevel(m)) ?? 0) + 1);
  const words = [...counts].map(([w, n]) => ({ symbols: [...w], n }));
  const vocab = new Map<string, number>();
  for (const c of BYTE_TO_CHAR) vocab.set(c, vocab.size);
  const mergeList: [string, string][] = [];
  while (mergeList.length < merges) {
    const pairs = new Map<string, number>();
    for (const w of words)
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const k = `${w.symbols[i]}\u0000${w.symbols[i + 1]}`;
        pairs.set(k, (pairs.get(k) ?? 0) + w.n);
      }
    let best: string | null = null;
    let bestN = 1; // a pair seen once is not worth a token
    for (const [k, n] of pairs) if (n > bestN || (n === bestN && best !== null && k < best)) [best, bestN] = [k, n];
    if (best === null) break;
    const [a, b] = best.split('\u0000') as [string, string];
    mergeList.push([a, b]);
    vocab.set(a + b, vocab.size);
    for (const w of words) {
      const s = w.symbols;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          out.push(a + b);
          i++;
        } else out.push(s[i]!);
      }
      w.symbols = out;
    }
  }
  const first = vocab.size;
  const added = SPECIAL_TOKENS.map((content, i) => ({ id: first + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const byteLevelCfg = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevelCfg },
    post_processor: { type: 'ByteLevel', ...byteLevelCfg, use_regex: false },
    decoder: { type: 'ByteLevel', ...byteLevelCfg },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges: mergeList,
    },
  };
  const tokenizerConfig = {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
    bos_token: null,
    eos_token: IM_END,
    pad_token: ENDOFTEXT,
    unk_token: null,
    additional_special_tokens: [IM_START, IM_END],
    chat_template: CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    errors: 'replace',
    model_max_length: 2048,
    split_special_tokens: false,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
  return {
    tokenizerJson,
    tokenizerConfig,
    vocabSize: first + added.length,
    merges: mergeList.length,
    ids: { endoftext: first, imStart: first + 1, imEnd: first + 2 },
  };
}

/** The training split's prompts and demonstrations (plus the ChatML role names), never the held-out split. */
export function* taskTrainingTexts(options: Partial<SyntheticTaskOptions> = {}): Generator<string> {
  const task = new SyntheticTask({ ...options, sceneInPrompt: true });
  yield 'system\nuser\nassistant\n';
  for (let i = 0; i < task.trainSize; i++) {
    const { prompt, solution } = task.trainTextAt(i);
    yield prompt;
    yield solution;
  }
}

/** Trains the task's tokenizer and writes tokenizer.json and tokenizer_config.json into `dir`. */
export function writeTaskTokenizer(dir: string, merges = 700, options: Partial<SyntheticTaskOptions> = {}): BpeResult {
  const r = trainTaskBpe(taskTrainingTexts(options), merges);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), `${JSON.stringify(r.tokenizerJson, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), `${JSON.stringify(r.tokenizerConfig, null, 2)}\n`);
  return r;
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node --import tsx scripts/task-bpe.ts <out-folder> [merges=700]');
    process.exit(2);
  }
  const r = writeTaskTokenizer(dir, Number(process.argv[3] ?? 700));
  console.log(`${dir}: ${r.merges} merges, ${r.vocabSize} ids (specials ${JSON.stringify(r.ids)})`);
}
