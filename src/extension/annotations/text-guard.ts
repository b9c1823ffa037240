// Cheap checks that run before any parsing, so a huge or binary document costs O(n) string scans
// and never reaches the reward engine.

export type TextGuardResult = { ok: true } | { ok: false; reason: 'too-large' | 'binary'; message: string };

/** NUL never occurs in text people write; a run of replacement characters means undecodable bytes. */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  let replacement = 0;
  for (let i = sample.indexOf('\ufffd'); i !== -1; i = sample.indexOf('\ufffd', i + 1)) replacement++;
  return sample.length > 0 && replacement / sample.length > 0.02;
}

export function formatSize(chars: number): string {
  if (chars >= 1_000_000) return `${(chars / 1_000_000).toFixed(1)} M characters`;
  if (chars >= 1_000) return `${(chars / 1_000).toFixed(0)} k characters`;
  return `${chars} characters`;
}

export function guardText(text: string, maxLength: number, what: string): TextGuardResult {
  if (text.length > maxLength) {
    return {
      ok: false,
      reason: 'too-large',
      message: `${what} is ${formatSize(text.length)}, above the annotation limit of ${formatSize(maxLength)} (setting stepgrpo.annotations.maxChainLength); it is not scored.`,
    };
  }
  if (looksBinary(text)) {
    return { ok: false, reason: 'binary', message: `${what} holds binary content (NUL or undecodable bytes); it is not scored.` };
  }
  return { ok: true };
}
