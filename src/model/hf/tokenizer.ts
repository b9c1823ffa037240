// A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json, already parsed) behind the
// TextTokenizer seam, on @huggingface/tokenizers. Decoding follows transformers' `decode`: special
// tokens are the added tokens marked special plus those tokenizer_config names (bos/eos/pad/unk,
// additional_special_tokens); `clean_up_tokenization_spaces` is read from tokenizer_config (absent
// means false, transformers' default). Offsets are exact for byte-level BPE (GPT-2 style: Llama 3,
// Qwen2/3, SmolLM2), where a character's UTF-8 bytes may be split across tokens; other decoders get
// offsets by decoding prefixes. Pure: the caller reads the files.
import { Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import { prefixOffsets, renderPieces, type TextTokenizer, type TokenPiece } from '../text-tokenizer';

type Json = Record<string, unknown>;

export class HfTokenizerError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    message: string,
  ) {
    super(`${source}: ${field}: ${message}`);
    this.name = 'HfTokenizerError';
  }
}

/** GPT-2's byte ↔ printable-character table, as the ByteLevel pre-tokenizer and decoder use it. */
const BYTE_OF_CHAR: ReadonlyMap<string, number> = (() => {
  const bytes: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bytes.push(b);
  for (let b = 0xae; b <= 0xff; b++) bytes.push(b);
  const chars = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n++);
    }
  }
  return new Map(bytes.map((b, i) => [String.fromCharCode(chars[i]!), b]));
})();

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** tokenizer_config's `bos_token` etc.: a string, an AddedToken object ({content}), or null. */
function tokenText(config: Json, field: string, configSource: string): string | null {
  const v = config[field];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  throw new HfTokenizerError(configSource, field, `expected a token string or {"content": …}, got ${JSON.stringify(v)}`);
}

export interface HfTokenizerSources {
  /** Names used in errors (default tokenizer.json / tokenizer_config.json; the loader passes paths). */
  tokenizer?: string;
  config?: string;
}

export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  /** Ids of the tokens tokenizer_config names, or null when it names none. */
  readonly bos: number | null;
  readonly eos: number | null;
  readonly pad: number | null;
  readonly unk: number | null;
  /** Whether decode applies transformers' clean_up_tokenization (" ." → "." …). */
  readonly cleanUpTokenizationSpaces: boolean;
  private readonly lib: HfLibTokenizer;
  private readonly special = new Set<number>();
  /** Added tokens (special or not) by id: decoded as their literal content, never through the byte table. */
  private readonly added = new Map<number, string>();
  private readonly byteLevel: boolean;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown = {}, sources: HfTokenizerSources = {}) {
    const tokSource = sources.tokenizer ?? 'tokenizer.json';
    const cfgSource = sources.config ?? 'tokenizer_config.json';
    if (!isObject(tokenizerJson)) throw new HfTokenizerError(tokSource, '(root)', 'expected a JSON object');
    if (!isObject(tokenizerJson.model)) throw new HfTokenizerError(tokSource, 'model', 'missing: not a tokenizers-library tokenizer.json');
    if (!Array.isArray(tokenizerJson.added_tokens)) throw new HfTokenizerError(tokSource, 'added_tokens', 'expected a list');
    if (!isObject(tokenizerConfig)) throw new HfTokenizerError(cfgSource, '(root)', 'expected a JSON object');
    try {
      this.lib = new HfLibTokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new HfTokenizerError(tokSource, '(tokenizer)', `cannot be loaded: ${(e as Error).message}`);
    }
    let maxId = -1;
    for (const id of this.lib.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;

    for (const [id, token] of this.lib.get_added_tokens_decoder()) {
      this.added.set(id, token.content);
      if (token.special) this.special.add(id);
    }
    const named = (field: string): number | null => {
      const text = tokenText(tokenizerConfig, field, cfgSource);
      if (text === null) return null;
      const id = this.idOf(text);
      if (id === null) throw new HfTokenizerError(cfgSource, field, `${JSON.stringify(text)} is not in ${tokSource}'s vocabulary`);
      this.special.add(id);
      return id;
    };
    this.bos = named('bos_token');
    this.eos = named('eos_token');
    this.pad = named('pad_token');
    this.unk = named('unk_token');
    const extra = tokenizerConfig.additional_special_tokens ?? [];
    if (!Array.isArray(extra)) throw new HfTokenizerError(cfgSource, 'additional_special_tokens', `expected a list, got ${JSON.stringify(extra)}`);
    extra.forEach((t, i) => {
      const text = typeof t === 'string' ? t : isObject(t) && typeof t.content === 'string' ? t.content : null;
      if (text === null) throw new HfTokenizerError(cfgSource, `additional_special_tokens[${i}]`, `expected a token string, got ${JSON.stringify(t)}`);
      const id = this.idOf(text);
      if (id !== null) this.special.add(id);
    });
    const cleanup = tokenizerConfig.clean_up_tokenization_spaces;
    if (cleanup !== undefined && cleanup !== null && typeof cleanup !== 'boolean') {
      throw new HfTokenizerError(cfgSource, 'clean_up_tokenization_spaces', `expected true or false, got ${JSON.stringify(cleanup)}`);
    }
    this.cleanUpTokenizationSpaces = cleanup === true;
    this.byteLevel = isObject(tokenizerJson.decoder) && tokenizerJson.decoder.type === 'ByteLevel' && !this.cleanUpTokenizationSpaces;
  }

  /** The id of a token string (vocabulary or added token), or null. */
  idOf(token: string): number | null {
    return this.lib.token_to_id(token) ?? null;
  }

  /** The token string of an id (byte-level tokens in their printable form), or null outside the vocabulary. */
  tokenOf(id: number): string | null {
    return this.lib.id_to_token(id) ?? null;
  }

  /** Special tokens: added tokens marked special, and those tokenizer_config names. */
  isSpecial(id: number): boolean {
    return this.special.has(id);
  }

  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    return this.lib.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const kept = this.kept(ids, options);
    return kept.length === 0 ? '' : this.lib.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: this.cleanUpTokenizationSpaces });
  }

  offsets(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): Array<[number, number]> {
    const text = this.decode(ids, options);
    const skip = options.skipSpecialTokens ?? true;
    if (this.byteLevel) {
      const pieces = this.byteLevelPieces(ids, skip);
      if (pieces) {
        const r = renderPieces(pieces, { ignoreBOM: true });
        if (r.text === text) return r.offsets;
      }
    }
    // Skipped tokens render as nothing wherever they are: offsets over the kept ids, then spread back.
    const keptIndex = ids.map((id) => !(skip && this.special.has(id)));
    const kept = ids.filter((_, k) => keptIndex[k]);
    const inner = prefixOffsets(kept, text, (prefix) => this.decode(prefix, { skipSpecialTokens: false }));
    const out: Array<[number, number]> = [];
    let j = 0;
    let at = 0;
    for (let k = 0; k < ids.length; k++) {
      if (keptIndex[k]) {
        out.push(inner[j++]!);
        at = out[out.length - 1]![1];
      } else out.push([at, at]);
    }
    return out;
  }

  private kept(ids: readonly number[], options: { skipSpecialTokens?: boolean }): number[] {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.lib.id_to_token(id) === undefined) {
        throw new Error(`tokenizer: id ${id} outside vocabulary of ${this.vocabSize}`);
      }
    }
    return (options.skipSpecialTokens ?? true) ? ids.filter((id) => !this.special.has(id)) : [...ids];
  }

  /** Each id's bytes (vocabulary tokens) or literal text (added tokens); null when a token has a character outside the byte table. */
  private byteLevelPieces(ids: readonly number[], skip: boolean): TokenPiece[] | null {
    const pieces: TokenPiece[] = [];
    for (const id of ids) {
      if (skip && this.special.has(id)) {
        pieces.push(null);
        continue;
      }
      const added = this.added.get(id);
      if (added !== undefined) {
        pieces.push({ text: added });
        continue;
      }
      const token = this.lib.id_to_token(id)!;
      const bytes: number[] = [];
      for (const ch of token) {
        const b = BYTE_OF_CHAR.get(ch);
        if (b === undefined) return null;
        bytes.push(b);
      }
      pieces.push({ bytes });
    }
    return pieces;
  }
}
