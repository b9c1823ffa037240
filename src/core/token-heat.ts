// The token heat of a sampled chain (issue 18 item 6): per completion token its log-prob under the
// sampling policy, the entropy of the distribution it was drawn from, and the advantage the update
// gave it, each quantised to one byte and kept as base64, with each token's length in the chain text
// so the viewer can colour the text token by token. About 5.3 characters per token in all.

/** One byte per token for each series; `len` is the token's UTF-16 length in the sample's text. */
export interface TokenHeat {
  len: string;
  /** log π(token): byte b ↔ −b / LOGP_SCALE nats (0 … −15.9; lower is clamped). */
  logp: string;
  /** Entropy of the next-token distribution: byte b ↔ b / ENTROPY_SCALE nats (0 … 7.97). */
  entropy: string;
  /** The token's advantage: signed byte b ↔ b / ADVANTAGE_SCALE (−4 … +3.97, clamped). */
  adv: string;
}

export const LOGP_SCALE = 16;
export const ENTROPY_SCALE = 32;
export const ADVANTAGE_SCALE = 32;

export interface TokenSeries {
  /** UTF-16 length of each token's text in the chain (0 for a token that adds none, e.g. the end token). */
  lengths: readonly number[];
  logp: readonly number[];
  entropy: readonly number[];
  advantage: readonly number[];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < bytes.length ? B64[n & 63]! : '=');
  }
  return out;
}

/** The bytes of a base64 string; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text[i + k]!;
      const v = c === '=' && i + k >= text.length - pad ? 0 : B64_INDEX.get(c);
      if (v === undefined) return undefined;
      n = (n << 6) | v;
    }
    for (let k = 0; k < 3 && o < out.length; k++) out[o++] = (n >> (16 - 8 * k)) & 255;
  }
  return out;
}

const clampByte = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(Number.isFinite(v) ? v : 0)));

export function encodeTokenHeat(s: TokenSeries): TokenHeat {
  const n = s.lengths.length;
  const bytes = (f: (i: number) => number) => toBase64(Uint8Array.from({ length: n }, (_, i) => f(i)));
  return {
    len: bytes((i) => clampByte(s.lengths[i]!, 0, 255)),
    logp: bytes((i) => clampByte(-s.logp[i]! * LOGP_SCALE, 0, 255)),
    entropy: bytes((i) => clampByte(s.entropy[i]! * ENTROPY_SCALE, 0, 255)),
    adv: bytes((i) => clampByte(s.advantage[i]! * ADVANTAGE_SCALE, -128, 127) & 255),
  };
}

/** The series back (quantised), or an error naming the field when the four do not fit together. */
export function decodeTokenHeat(heat: TokenHeat): TokenSeries | { error: string } {
  const fields = { len: fromBase64(heat.len), logp: fromBase64(heat.logp), entropy: fromBase64(heat.entropy), adv: fromBase64(heat.adv) };
  for (const [name, bytes] of Object.entries(fields)) if (!bytes) return { error: `tokenHeat.${name} is not base64` };
  const n = fields.len!.length;
  for (const [name, bytes] of Object.entries(fields)) if (bytes!.length !== n) return { error: `tokenHeat.${name} holds ${bytes!.length} tokens, tokenHeat.len ${n}` };
  return {
    lengths: [...fields.len!],
    logp: [...fields.logp!].map((b) => -b / LOGP_SCALE),
    entropy: [...fields.entropy!].map((b) => b / ENTROPY_SCALE),
    advantage: [...fields.adv!].map((b) => (b > 127 ? b - 256 : b) / ADVANTAGE_SCALE),
  };
}
