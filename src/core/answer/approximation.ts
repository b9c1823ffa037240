// Does an answer text state its number as an approximation? A rounded decimal may stand for an
// exact value only then (docs/rewards.md, "Rounded decimals"): `≈ 0.33` may be 1/3, a bare `0.33`
// is not.

// Not `~` or `\sim`: in LaTeX `~` is a non-breaking space and `\sim` means "distributed as".
const MARKERS = String.raw`(?:≈|≃|\\approx|\\simeq|\\thickapprox|\bapproximately|\bapprox\.?|\babout|\broughly|\baround|\bnearly|\balmost|\bcirca)`;
/** A marker that ends right where the number starts (after the filler below). */
const MARKER_BEFORE = new RegExp(`${MARKERS}$`, 'i');
/** A marker that opens a value (`≈ 0.33`, `approximately 0.33`), with the spaces after it. */
const LEADING_MARKER = new RegExp(String.raw`^${MARKERS}\s*`, 'i');
/** What may stand between a marker and its number: spaces, math delimiters, `=`, `:`, a copula. */
const FILLER = /(?:\s|\$|\\\(|\\\[|\\boxed\{|\{|=|:|\bis\b|\bequals\b|\bbe\b)+$/;
/** A sentence that says the value was rounded. */
const ROUNDED =
  /\brounded\b|\brounding\b|\bto (?:the nearest|\d+|one|two|three|four|five|six) (?:decimal|significant|hundredth|tenth|thousandth)|\bdecimal places?\b|\bsignificant (?:figures|digits)\b/i;
/** How far before the number a marker is looked for. */
const WINDOW = 48;

/**
 * True when `text` (the answer section, or a short answer) says that `value` (a decimal literal as
 * it was written, e.g. `0.33`) is approximate: a marker right before its last occurrence
 * (`≈ 0.33`, `x \approx 0.33`, `about $0.33$`, `is approximately \boxed{0.33}`), or a phrase
 * saying the answer was rounded (`0.33 (rounded to two decimal places)`).
 */
export function statesApproximation(text: string, value: string): boolean {
  if (ROUNDED.test(text)) return true;
  const at = text.lastIndexOf(value);
  if (at < 0) return false;
  const before = text.slice(Math.max(0, at - WINDOW), at).replace(FILLER, '');
  return MARKER_BEFORE.test(before);
}

/** The value without a marker that opens it: `approximately 0.33` → `0.33` (whether it was one is read by statesApproximation). */
export function withoutLeadingMarker(value: string): string {
  return value.replace(LEADING_MARKER, '');
}
