// The tokenizer seam every model family implements (the embedded word-level tokenizer, Hugging Face
// tokenizer.json): text ↔ ids, plus where each id's text sits in the decoded string, so a viewer can
// highlight chain spans per token. Pure: no I/O.

export interface TextTokenizer {
  /** Ids the tokenizer can produce or decode are 0 … vocabSize − 1 (a model's embedding may be larger). */
  readonly vocabSize: number;
  /** ids of text; specials such as BOS are added only if asked */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  /** Text of ids; special tokens are skipped unless `skipSpecialTokens: false` (default true: the text a reward scores). */
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** [start, end) UTF-16 offsets of each id's text inside decode(ids, same options) — used to highlight chain spans per token; a token that renders as nothing (skipped special, partial UTF-8 byte) gets an empty range at its position */
  offsets(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): Array<[number, number]>;
}

/**
 * What one token adds to the decoded text: UTF-8 bytes that may join neighbouring tokens' bytes into
 * one character; text that stands alone (pending bytes are decoded first, an incomplete character
 * becoming U+FFFD as TextDecoder does); or `null`, nothing at all (pending bytes stay pending, as
 * when a skipped special token is filtered out before decoding).
 */
export type TokenPiece = { bytes: ArrayLike<number> } | { text: string } | null;

export interface RenderedPieces {
  text: string;
  offsets: Array<[number, number]>;
}

/**
 * Joins token pieces into text with each token's [start, end) range. A character made of bytes
 * from several tokens belongs to the token that completes it; the tokens before get an empty range
 * where it starts. `ignoreBOM: false` drops a BOM at the start of each byte run (TextDecoder's default).
 */
export function renderPieces(pieces: readonly TokenPiece[], options: { ignoreBOM?: boolean } = {}): RenderedPieces {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: options.ignoreBOM ?? true });
  const offsets: Array<[number, number]> = [];
  let text = '';
  let pending = false;
  /** The last token that fed bytes, and the null tokens after it: a flush that emits U+FFFD extends the one and moves the others. */
  let lastBytes = -1;
  const flush = (): void => {
    if (!pending) return;
    pending = false;
    const rest = decoder.decode();
    if (rest === '' || lastBytes < 0) return;
    text += rest;
    offsets[lastBytes]![1] = text.length;
    for (let k = lastBytes + 1; k < offsets.length; k++) offsets[k] = [text.length, text.length];
  };
  const one = new Uint8Array(1);
  for (const piece of pieces) {
    if (piece === null) {
      offsets.push([text.length, text.length]);
    } else if ('bytes' in piece) {
      const start = text.length;
      for (let i = 0; i < piece.bytes.length; i++) {
        one[0] = piece.bytes[i]!;
        text += decoder.decode(one, { stream: true });
        pending = true;
      }
      offsets.push([start, text.length]);
      lastBytes = offsets.length - 1;
    } else {
      flush();
      const start = text.length;
      text += piece.text;
      offsets.push([start, text.length]);
    }
  }
  flush();
  return { text, offsets };
}

/**
 * Offsets from decoding prefixes, for decoders whose per-token text is not known (Metaspace, cleanup
 * of tokenization spaces): token k ends where decode(ids[0..k]) stops agreeing with the whole text,
 * never before the previous token's end. Quadratic in the length; exact whenever prefixes decode to
 * prefixes of the whole text.
 */
export function prefixOffsets(ids: readonly number[], full: string, decodePrefix: (prefix: readonly number[]) => string): Array<[number, number]> {
  const offsets: Array<[number, number]> = [];
  let end = 0;
  for (let k = 1; k <= ids.length; k++) {
    const prefix = k === ids.length ? full : decodePrefix(ids.slice(0, k));
    let common = 0;
    const n = Math.min(prefix.length, full.length);
    while (common < n && prefix.charCodeAt(common) === full.charCodeAt(common)) common++;
    // An incomplete character at the prefix's end decodes to U+FFFD and so is not counted yet.
    const start = end;
    end = Math.max(end, common);
    offsets.push([start, end]);
  }
  return offsets;
}
