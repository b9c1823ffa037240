// Decimal digits as Python's `\d` and `int()` read them: any Unicode character of category Nd
// (`２` and `٢` are both 2). Unicode defines Nd characters in contiguous, aligned runs of ten
// starting at a zero, so a digit's value is its distance from the start of its run, modulo ten.

const ND = /\p{Nd}/u;

/** True when the code point at `i` is a Unicode decimal digit. ASCII fast path first. */
export function isDecimalDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 48 && c <= 57) return true;
  if (c < 0x660) return false;
  const cp = text.codePointAt(i)!;
  return ND.test(String.fromCodePoint(cp));
}

/** Value 0..9 of the decimal digit code point `cp`. */
export function decimalDigitValue(cp: number): number {
  if (cp >= 48 && cp <= 57) return cp - 48;
  let start = cp;
  while (ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Code-unit length of the character at `i` (2 for a surrogate pair). */
export function charLengthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
}

/**
 * Reads a run of decimal digits starting at `i`. Returns its end (exclusive) and integer value
 * (Infinity when it does not fit a safe integer), or null when no digit is at `i`.
 */
export function readDecimalDigits(text: string, i: number, end = text.length): { end: number; value: number } | null {
  let j = i;
  let value = 0;
  while (j < end && isDecimalDigitAt(text, j)) {
    const cp = text.codePointAt(j)!;
    value = value * 10 + decimalDigitValue(cp);
    j += cp > 0xffff ? 2 : 1;
  }
  if (j === i) return null;
  return { end: j, value: Number.isSafeInteger(value) ? value : Infinity };
}
