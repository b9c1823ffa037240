// A tokenizer fitted to the task's text: R1-VL section headers are single tokens, then words (with
// their leading space), single digits (so numbers compose), punctuation and whitespace; anything
// unseen falls back to characters and finally UTF-8 byte tokens, so every string round-trips.
import type { ChainCodec } from './family';
import { renderPieces, type TextTokenizer, type TokenPiece } from './text-tokenizer';

export const SPECIAL_TOKENS = { pad: '<pad>', bos: '<bos>', eos: '<eos>', image: '<image>' } as const;

export const SECTION_HEADERS = ['### Image Description:', '### Rationales:', "### Let's think step by step.", '### The final answer is:'];

export interface TokenizerFitOptions {
  /** Upper bound on the vocabulary size (specials, headers, bytes and characters always fit). */
  maxVocab?: number;
  /** A word needs at least this many occurrences to become a token. */
  minCount?: number;
  /** `### Step 1:` … `### Step N:` are always single tokens. */
  maxStepHeader?: number;
}

export const TOKENIZER_DEFAULTS: Required<TokenizerFitOptions> = { maxVocab: 1024, minCount: 2, maxStepHeader: 16 };

export interface TokenizerJSON {
  kind: 'stepgrpo-word-v1';
  tokens: string[];
}

const WORD = / ?[A-Za-z]+|\d| ?[^\sA-Za-z\d]|\s/gu;
const BYTE_TOKEN = (b: number): string => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

function headerList(maxStep: number): string[] {
  return [...SECTION_HEADERS, ...Array.from({ length: maxStep }, (_, i) => `### Step ${i + 1}:`)];
}

export class Tokenizer implements TextTokenizer, ChainCodec {
  private readonly index = new Map<string, number>();
  private readonly headers: string[];
  private readonly byteIds: number[];
  readonly pad: number;
  readonly bos: number;
  readonly eos: number;
  readonly image: number;

  private constructor(readonly tokens: readonly string[]) {
    tokens.forEach((t, i) => {
      if (this.index.has(t)) throw new Error(`tokenizer: duplicate token ${JSON.stringify(t)}`);
      this.index.set(t, i);
    });
    const id = (t: string): number => {
      const i = this.index.get(t);
      if (i === undefined) throw new Error(`tokenizer: vocabulary lacks ${JSON.stringify(t)}`);
      return i;
    };
    this.pad = id(SPECIAL_TOKENS.pad);
    this.bos = id(SPECIAL_TOKENS.bos);
    this.eos = id(SPECIAL_TOKENS.eos);
    this.image = id(SPECIAL_TOKENS.image);
    this.byteIds = Array.from({ length: 256 }, (_, b) => id(BYTE_TOKEN(b)));
    this.headers = tokens.filter((t) => t.startsWith('### ')).sort((a, b) => b.length - a.length);
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  /** Fits a vocabulary to a corpus of texts (prompts and reference solutions). */
  static fit(corpus: Iterable<string>, options: TokenizerFitOptions = {}): Tokenizer {
    const o = { ...TOKENIZER_DEFAULTS, ...options };
    const headers = headerList(o.maxStepHeader);
    const base = [...Object.values(SPECIAL_TOKENS), ...headers, ...Array.from({ length: 256 }, (_, b) => BYTE_TOKEN(b))];
    const chars = new Set<string>();
    const counts = new Map<string, number>();
    const probe = new Tokenizer(base);
    for (const text of corpus) {
      for (const piece of probe.pieces(text)) {
        if (piece.header) continue;
        for (const ch of piece.text) chars.add(ch);
        if ([...piece.text].length > 1) counts.set(piece.text, (counts.get(piece.text) ?? 0) + 1);
      }
    }
    const vocab = [...base, ...[...chars].sort().filter((c) => !base.includes(c))];
    const words = [...counts].filter(([, n]) => n >= o.minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [w] of words) {
      if (vocab.length >= o.maxVocab) break;
      vocab.push(w);
    }
    return new Tokenizer(vocab);
  }

  static fromJSON(json: TokenizerJSON): Tokenizer {
    if (json?.kind !== 'stepgrpo-word-v1' || !Array.isArray(json.tokens) || !json.tokens.every((t) => typeof t === 'string')) {
      throw new Error('tokenizer: expected {kind: "stepgrpo-word-v1", tokens: string[]}');
    }
    return new Tokenizer(json.tokens);
  }

  toJSON(): TokenizerJSON {
    return { kind: 'stepgrpo-word-v1', tokens: [...this.tokens] };
  }

  private *pieces(text: string): Generator<{ text: string; header: boolean }> {
    let i = 0;
    while (i < text.length) {
      const next = text.indexOf('###', i);
      const end = next < 0 ? text.length : next;
      if (end > i) {
        for (const m of text.slice(i, end).matchAll(WORD)) yield { text: m[0], header: false };
        i = end;
        continue;
      }
      const h = this.headers.find((hd) => text.startsWith(hd, i));
      if (h) {
        yield { text: h, header: true };
        i += h.length;
      } else {
        for (const ch of '###') yield { text: ch, header: false };
        i += 3;
      }
    }
  }

  /** Token ids of `text`: no BOS/EOS unless `addSpecialTokens` (then BOS first, as sequences start). */
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    const out: number[] = options.addSpecialTokens ? [this.bos] : [];
    for (const piece of this.pieces(text)) {
      const id = this.index.get(piece.text);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const ch of piece.text) {
        const c = this.index.get(ch);
        if (c !== undefined) out.push(c);
        else for (const b of new TextEncoder().encode(ch)) out.push(this.byteIds[b]!);
      }
    }
    return out;
  }

  /**
   * Text of `ids`; special tokens are dropped unless `keepSpecial` (or `skipSpecialTokens: false`).
   * Consecutive byte tokens are decoded together; a run that ends mid-character becomes U+FFFD.
   */
  decode(ids: readonly number[], options: boolean | { skipSpecialTokens?: boolean } = {}): string {
    return this.render(ids, options).text;
  }

  /** [start, end) of each id's text inside `decode(ids, options)` (TextTokenizer.offsets). */
  offsets(ids: readonly number[], options: boolean | { skipSpecialTokens?: boolean } = {}): Array<[number, number]> {
    return this.render(ids, options).offsets;
  }

  private render(ids: readonly number[], options: boolean | { skipSpecialTokens?: boolean }) {
    const keepSpecial = typeof options === 'boolean' ? options : options.skipSpecialTokens === false;
    const pieces = ids.map((id): TokenPiece => {
      const t = this.tokens[id];
      if (t === undefined) throw new Error(`tokenizer: id ${id} outside vocabulary of ${this.tokens.length}`);
      const byte = /^<0x([0-9A-F]{2})>$/.exec(t);
      if (byte) return { bytes: [parseInt(byte[1]!, 16)] };
      // A dropped special still ends a byte run, as decode always did.
      if (!keepSpecial && (id === this.pad || id === this.bos || id === this.eos || id === this.image)) return { text: '' };
      return { text: t };
    });
    // A new TextDecoder per byte run, as before: each run drops a leading BOM.
    return renderPieces(pieces, { ignoreBOM: false });
  }

  /** ChainCodec: [BOS, question, newline]. */
  promptIds(prompt: string): number[] {
    return [this.bos, ...this.encode(`${prompt}\n`)];
  }

  /** ChainCodec: the chain, then EOS. */
  completionIds(solution: string): number[] {
    return [...this.encode(solution), this.eos];
  }

  /** ChainCodec: the text of completion ids without EOS. */
  chainText(ids: readonly number[]): string {
    return this.decode(ids.filter((id) => id !== this.eos));
  }
}
