// Math-Verify 0.8.0's `parse(text)` with its defaults (LaTeX and expression targets, any_match,
// fallback first_match): priority groups in turn; inside a group the match that ends last is tried
// first (ties: the one that starts first, then pattern order, LaTeX before expressions); the first
// match that converts gives the value. The result is that value (if any) followed by the text of
// the first match tried (its "fallback" string), which `verify` also compares, as strings.
import { normalizeLatex } from './mv-normalize';
import { LatexParseError, numberNode, parseLatex } from './mv-latex';
import { patternGroups, type Pattern } from './mv-patterns';
import type { Node } from './mv-node';

/** What `parse` returns: parsed values and strings (at most one of each here). */
export type Parsed = (Node | string)[];

interface Found {
  p: Pattern;
  start: number;
  end: number;
}

export function mvParse(text: string): Parsed {
  const fallbacks: string[] = [];
  let lower: string | null = null;
  for (const group of patternGroups()) {
    const found: Found[] = [];
    for (const p of group.patterns) {
      if (p.needs !== null && !(p.lower ? (lower ??= text.toLowerCase()) : text).includes(p.needs)) continue;
      if (p.spans) {
        for (const span of p.spans(text)) found.push({ p, ...span });
        continue;
      }
      p.scan.lastIndex = 0;
      for (let m = p.scan.exec(text); m; m = p.scan.exec(text)) {
        found.push({ p, start: m.index, end: m.index + m[0].length });
        if (m[0].length === 0) p.scan.lastIndex++;
      }
    }
    // stable: equal keys keep pattern order
    found.sort((a, b) => b.end - a.end || a.start - b.start);
    for (const f of found) {
      // the leftmost match at a position is the same with or without groups: read them there
      f.p.re.lastIndex = f.start;
      const m = f.p.re.exec(text)!;
      const [value, str] = f.p.kind === 'latex' ? extractLatex(m) : extractExpr(m);
      if (str) fallbacks.push(str);
      if (value !== null) return fallbacks.length > 0 ? [value, fallbacks[0]!] : [value];
    }
  }
  return fallbacks.length > 0 ? [fallbacks[0]!] : [];
}

const PREFIXES = ['first', 'next1', 'next2', 'next3', 'next4', 'next5'];

function extractLatex(m: RegExpExecArray): [Node | null, string] {
  const g = m.groups ?? {};
  // the first filled `<prefix>_latex…` group of each prefix, in prefix order (one pass over the groups)
  const byPrefix = new Map<string, { latex: string; name: string; prefix: string }>();
  for (const name in g) {
    const value = g[name];
    if (!value) continue;
    const cut = name.indexOf('_latex');
    if (cut < 0) continue;
    const prefix = name.slice(0, cut);
    if (!byPrefix.has(prefix)) byPrefix.set(prefix, { latex: value, name: name.slice(cut + 1), prefix });
  }
  const parts = PREFIXES.flatMap((p) => byPrefix.get(p) ?? []);
  const values: (Node | null)[] = [];
  const strs: string[] = [];
  for (const { latex, name, prefix } of parts) {
    const normalized = normalizeLatex(latex, name === 'latexBoxed' ? 'last' : 'all');
    strs.push(normalized);
    let v = parseWithLastEquation(normalized);
    if (v && g[`${prefix}_percent`]) v = { t: 'pct', a: v };
    values.push(v);
  }
  if (values.length === 0) return [null, ''];
  if (values.length > 1 && values.every((v) => v !== null)) {
    const items = (values as Node[]).flatMap((v) => (v.t === 'set' ? v.a : [v]));
    return [{ t: 'set', a: items }, strs.join(' and ')];
  }
  return [values[0]!, strs[0]!];
}

/** latex2sympy on the text; if that fails, on the part after the last `=` of a chain `a = b = c` (no `,` or `;`). */
function parseWithLastEquation(latex: string): Node | null {
  try {
    return parseLatex(latex);
  } catch (e) {
    if (!(e instanceof LatexParseError) && !(e instanceof RangeError)) throw e;
    if (latex.includes(',') || latex.includes(';')) return null;
    const parts = latex.split(/(?<!\\|<|!|>)=/);
    if (parts.length <= 2) return null;
    try {
      return parseLatex(parts[parts.length - 1]!);
    } catch {
      return null;
    }
  }
}

function extractExpr(m: RegExpExecArray): [Node | null, string] {
  const g = m.groups ?? {};
  const integerPart = g.i1 || g.i2 || g.i3 || '';
  const decimalPart = g.d1 || g.d2 || g.d3 || '';
  if (integerPart || decimalPart) {
    let integer = integerPart.replace(/[, ]/g, '').replace(/^0+/, '');
    if (integer.length === 0) integer = '0';
    const numberStr = integer + decimalPart.replace(',', '.');
    let v: Node;
    try {
      v = numberNode(numberStr);
    } catch {
      return [null, numberStr];
    }
    return [g.pct ? { t: 'pct', a: v } : v, numberStr];
  }
  const expr = g.expr ?? '';
  if (!expr) return [null, ''];
  return [plainExpression(expr.replace(/\n/g, ' ')), expr];
}

/**
 * sympy's `parse_expr` on digits and operators: Python syntax, so juxtaposition (`2 (3)`, `2 3`)
 * and `×`, `÷` are errors (null), `^` is a power (Math-Verify rewrites it to `**`).
 */
function plainExpression(expr: string): Node | null {
  if (/[×÷]|\d\s+[\d.(]|\)\s*[\d.(]|\d\(|\.\s*\.|\d\.\d*\./.test(expr)) return null;
  try {
    return parseLatex(expr.replace(/\*\*/g, '^'), true);
  } catch {
    return null;
  }
}
