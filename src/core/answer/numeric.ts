// The fast path of answer checking: a canonical answer that is one number, fraction, percentage
// or angle, read without any symbolic machinery.

export interface NumericAnswer {
  value: number;
  /** Digits after the decimal point when written as a decimal literal, else null (exact: integer, fraction). */
  decimals: number | null;
  /** True when written as a terminating decimal or integer literal (not a fraction). */
  literal: boolean;
  /**
   * The exact value of an integer literal as canonical digits with sign (`-1000`), else null.
   * Two integers compare by these digits, never within a tolerance: `10000001` is not `10000000`,
   * and integers beyond 2^53 are not rounded into each other.
   */
  integer: string | null;
  unit: 'percent' | 'degree' | null;
}

const PERCENT_WORDS = ['\\%', '%', 'percentage', 'percent', 'pct'];
const DEGREE_WORDS = ['^\\circ', '°', 'degrees', 'degree', 'deg'];
const CURRENCY = ['\\$', '$', '€', '£', '¥', 'usd', 'eur'];

/** Parses a canonical answer (see canonicalAnswer) as a number; null when it is anything else. */
export function parseNumeric(input: string): NumericAnswer | null {
  let s = input.trim();
  if (s.length === 0 || s.length > 64) return null;
  let unit: NumericAnswer['unit'] = null;
  for (const w of PERCENT_WORDS) {
    if (s.toLowerCase().endsWith(w)) {
      unit = 'percent';
      s = s.slice(0, s.length - w.length).trim();
      break;
    }
  }
  if (!unit) {
    for (const w of DEGREE_WORDS) {
      if (s.toLowerCase().endsWith(w)) {
        unit = 'degree';
        s = s.slice(0, s.length - w.length).trim();
        break;
      }
    }
  }
  for (const c of CURRENCY) {
    if (s.toLowerCase().startsWith(c)) s = s.slice(c.length).trim();
    else if (s.toLowerCase().endsWith(c)) s = s.slice(0, s.length - c.length).trim();
  }
  let sign = 1;
  while (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -sign;
    s = s.slice(1).trim();
  }
  // \frac{a}{b}, \frac ab, a/b
  const frac = /^\\frac\s*(?:\{\s*([^{}]+?)\s*\}|(\d))\s*(?:\{\s*([^{}]+?)\s*\}|(\d))$/.exec(s);
  if (frac) {
    const a = parseDecimal(frac[1] ?? frac[2]!);
    const b = parseDecimal(frac[3] ?? frac[4]!);
    if (!a || !b || b.value === 0) return null;
    return { value: (sign * a.value) / b.value, decimals: null, literal: false, integer: null, unit };
  }
  const slash = s.indexOf('/');
  if (slash > 0) {
    const a = parseDecimal(s.slice(0, slash).trim());
    const b = parseDecimal(s.slice(slash + 1).trim());
    if (!a || !b || b.value === 0) return null;
    return { value: (sign * a.value) / b.value, decimals: null, literal: false, integer: null, unit };
  }
  const sci = scientific(s);
  if (sci !== null) {
    // `3 \times 10^{8}` is an integer written exactly; `1.5e3` has a decimal point.
    const exact = !s.includes('.') && Number.isSafeInteger(sci) ? canonicalInteger(sign, String(sci)) : null;
    return { value: sign * sci, decimals: null, literal: false, integer: exact, unit };
  }
  const d = parseDecimal(s);
  if (!d) return null;
  const integer = d.decimals === null ? canonicalInteger(sign, d.digits) : null;
  return { value: sign * d.value, decimals: d.decimals, literal: true, integer, unit };
}

// `1.5e-7`, `3 \times 10^{-11}`, `10^{8}`: read here, because the CAS flushes values below ~1e-10 to 0.
const SCIENTIFIC = /^(?:(\d+(?:\.\d+)?)\s*(?:[eE]([-+]?\d{1,3})|(?:\\times|\\cdot|\*)\s*10\s*\^\s*\{?\s*([-+]?\d{1,3})\s*\}?)|10\s*\^\s*\{?\s*([-+]?\d{1,3})\s*\}?)$/;

/** The value of a number in scientific notation, or null. */
function scientific(s: string): number | null {
  const m = SCIENTIFIC.exec(s);
  if (!m) return null;
  const mantissa = m[1] === undefined ? 1 : Number(m[1]);
  const value = mantissa * 10 ** Number(m[2] ?? m[3] ?? m[4]);
  return Number.isFinite(value) ? value : null;
}

/** `-`, `000120` → `-120`; zero has no sign. */
function canonicalInteger(sign: number, digits: string): string {
  const t = digits.replace(/^0+(?=\d)/, '');
  return sign < 0 && t !== '0' ? `-${t}` : t;
}

/**
 * A decimal literal: `1234`, `1,234,567`, `1 234`, `1234.5`, `.5`, European `1234,5` (a comma
 * not followed by exactly three digits, or after a leading 0, is a decimal comma).
 */
export function parseDecimal(input: string): { value: number; decimals: number | null; digits: string } | null {
  const s = input.trim();
  if (!/^[\d.,\s]+$/.test(s) || !/\d/.test(s)) return null;
  let normalized: string;
  const groupsComma = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s);
  const groupsSpace = /^\d{1,3}( \d{3})+(\.\d+)?$/.test(s);
  if ((groupsComma && !s.startsWith('0,')) || groupsSpace) normalized = s.replace(/[, ]/g, '');
  else if (/^\d*,\d+$/.test(s)) normalized = s.replace(',', '.');
  else if (/^\d*\.?\d+$|^\d+\.$/.test(s)) normalized = s;
  else return null;
  const value = Number(normalized);
  if (!Number.isFinite(value)) return null;
  const dot = normalized.indexOf('.');
  return { value, decimals: dot >= 0 ? normalized.length - dot - 1 : null, digits: normalized };
}

/**
 * Two integer literals (same unit): equal digits, exactly. Otherwise (a decimal point or a
 * division on either side) equal within a relative tolerance, or, when one side is a decimal
 * literal that its text states as an approximation (`approximate`: `≈ 0.3333`) showing at least
 * two decimals and two significant digits, and the other is exact (a fraction), when the exact
 * value rounds to the literal at the precision it was written to (≈ 0.3333 ≡ 1/3; a bare 0.3333
 * is not 1/3, and ≈ 0.00 ≢ 1/1000: too few digits to judge).
 */
export function numbersAgree(a: NumericAnswer, b: NumericAnswer, tolerance: number, approximate: (side: NumericAnswer) => boolean = () => false): boolean {
  if (a.integer !== null && b.integer !== null && a.unit === b.unit) return a.integer === b.integer;
  const candidates = unitValues(a, b);
  for (const [x, y] of candidates) {
    if (x === y || Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y))) return true;
    if (a.literal !== b.literal) {
      const lit = a.literal ? a : b;
      const step = lit.decimals === null ? 0 : 10 ** -lit.decimals;
      const twoSignificant = Math.abs(lit.value) >= 10 * step;
      if (lit.decimals !== null && lit.decimals >= 2 && twoSignificant && Math.abs(x - y) <= 0.5 * step * (1 + 1e-9) && approximate(lit)) return true;
    }
  }
  return false;
}

/** Percent answers compare both as written (28% ≡ 28) and as a fraction (28% ≡ 0.28). */
function unitValues(a: NumericAnswer, b: NumericAnswer): [number, number][] {
  const pairs: [number, number][] = [[a.value, b.value]];
  if (a.unit === 'percent' && b.unit !== 'percent') pairs.push([a.value / 100, b.value]);
  if (b.unit === 'percent' && a.unit !== 'percent') pairs.push([a.value, b.value / 100]);
  return pairs;
}
