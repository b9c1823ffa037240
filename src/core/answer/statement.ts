// What an answer states: the value of `x = 5`, the relation of `x \geq 5`, the set of `x \in [a,b]`
// or `a \leq x \leq b`, the two values of `a \pm b`. Works on canonical text (see canonical.ts).
import { isList, splitTopLevel } from './split';

/**
 * A label, not a value: a name (`x`, `a_3`, `\theta`, `f(x)`, `|AB|`), a tuple of names
 * (`(p,q)`), a ratio or quotient of names (`A:B`, `S_{MBCN}:S`, `\frac{NO}{BO}`). No digits
 * outside subscripts, no operators, no spaces.
 */
export function isLabel(s: string): boolean {
  if (s.length === 0 || s.length > 40) return false;
  const t = s
    .replace(/_\{[^{}]*\}|_\w/g, '')
    .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '$1/$2')
    .replace(/,\s+/g, ',');
  return /[A-Za-z]/.test(t) && /^(?:\\?[A-Za-z]+|[()|:/,'])+$/.test(t);
}

export interface Equation {
  lhs: string;
  rhs: string;
}

/** `lhs = rhs` with one top-level `=` (not a list, not a chain), else null. */
export function equationOf(s: string): Equation | null {
  if (isList(s)) return null;
  const parts = splitTopLevel(s, '=');
  if (parts.length !== 2) return null;
  const lhs = parts[0]!.trim();
  const rhs = parts[1]!.trim();
  return lhs.length > 0 && rhs.length > 0 ? { lhs, rhs } : null;
}

/**
 * The value an answer states: `x = 5` → `5` when the left side is a label; chains of equalities
 * keep their last side; `a ≈ b` keeps the exact side. Lists are left whole (their items are read
 * one by one).
 */
export function valueSide(s: string): string {
  let t = s;
  const approx = t.indexOf('\\approx');
  if (approx >= 0) t = t.includes('=') ? t.slice(0, approx) : t.slice(approx + 7);
  if (isList(t)) return t.trim();
  const parts = splitTopLevel(t, '=');
  if (parts.length >= 3) return parts[parts.length - 1]!.trim();
  if (parts.length === 2 && isLabel(parts[0]!.trim())) return parts[1]!.trim();
  return t.trim();
}

export type RelationOp = '<' | '>' | '\\leq' | '\\geq' | '\\neq';
const RELATION_OPS: RelationOp[] = ['\\leq', '\\geq', '\\neq', '<', '>'];
export const FLIPPED: Record<RelationOp, RelationOp> = { '<': '>', '>': '<', '\\leq': '\\geq', '\\geq': '\\leq', '\\neq': '\\neq' };

export interface Relation {
  op: RelationOp;
  lhs: string;
  rhs: string;
}

/** The top-level relation operators of `s` and the parts between them (at most 8). */
function relationParts(s: string): { ops: RelationOp[]; parts: string[] } {
  const ops: RelationOp[] = [];
  const parts: string[] = [];
  let level = 0;
  let from = 0;
  for (let i = 0; i < s.length && ops.length < 8; i++) {
    const c = s[i]!;
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') level--;
    if (level !== 0) {
      if (c === '\\') i++;
      continue;
    }
    const op = RELATION_OPS.find((o) => s.startsWith(o, i) && (o.length === 1 || !/[A-Za-z]/.test(s[i + o.length] ?? '')));
    if (op) {
      ops.push(op);
      parts.push(s.slice(from, i).trim());
      from = i + op.length;
      i += op.length - 1;
    } else if (c === '\\') {
      while (i + 1 < s.length && /[A-Za-z]/.test(s[i + 1]!)) i++;
    }
  }
  parts.push(s.slice(from).trim());
  return { ops, parts };
}

/** One relation `lhs op rhs` (not `=`), else null. */
export function relationOf(s: string): Relation | null {
  const { ops, parts } = relationParts(s);
  if (ops.length !== 1 || !parts[0] || !parts[1]) return null;
  return { op: ops[0]!, lhs: parts[0], rhs: parts[1] };
}

const LOWER_OPEN: Partial<Record<RelationOp, string>> = { '<': '(', '\\leq': '[' };
const UPPER_CLOSE: Partial<Record<RelationOp, string>> = { '<': ')', '\\leq': ']' };

/**
 * The set an answer describes, as interval or set text: `x \in S` → `S`; `a < x \leq b` →
 * `(a, b]`; with `single`, also `x \geq a` → `[a, \infty)`. Null when it describes none.
 */
export function setForm(s: string, single: boolean): string | null {
  const member = /^(.{1,40}?)\\in(?![A-Za-z])\s*(.+)$/s.exec(s);
  if (member && isLabel(member[1]!.trim())) return member[2]!.trim();
  const { ops, parts } = relationParts(s);
  if (ops.length === 2 && isLabel(parts[1]!)) {
    let [a, b] = [parts[0]!, parts[2]!];
    let [o1, o2] = ops as [RelationOp, RelationOp];
    if ((o1 === '>' || o1 === '\\geq') && (o2 === '>' || o2 === '\\geq')) {
      [a, b] = [b, a];
      [o1, o2] = [FLIPPED[o2], FLIPPED[o1]];
    }
    const open = LOWER_OPEN[o1];
    const close = UPPER_CLOSE[o2];
    if (!open || !close || !a || !b) return null;
    // a ≤ |x| ≤ b (a ≥ 0): the two bands [-b, -a] ∪ [a, b]
    if (/^\|[^|]+\|$/.test(parts[1]!) && !a.trim().startsWith('-')) {
      const mirrorOpen = close === ')' ? '(' : '[';
      const mirrorClose = open === '(' ? ')' : ']';
      return `${mirrorOpen}${negated(b)}, ${negated(a)}${mirrorClose} \\cup ${open}${a}, ${b}${close}`;
    }
    return `${open}${a}, ${b}${close}`;
  }
  if (!single || ops.length !== 1) return null;
  let [x, v] = [parts[0]!, parts[1]!];
  let op = ops[0]!;
  if (!isLabel(x) && isLabel(v)) {
    [x, v] = [v, x];
    op = FLIPPED[op];
  }
  if (!isLabel(x) || isLabel(v) || !v) return null;
  if (op === '<') return `(-\\infty, ${v})`;
  if (op === '\\leq') return `(-\\infty, ${v}]`;
  if (op === '>') return `(${v}, \\infty)`;
  if (op === '\\geq') return `[${v}, \\infty)`;
  return null;
}

/** `a \pm b` → `a - b, a + b`; `\pm b` → `-b, b` (one `\pm` or `\mp`), else null. */
export function expandPlusMinus(s: string): string | null {
  const m = /^(.*?)\\(pm|mp)(?![A-Za-z])(.*)$/s.exec(s);
  if (!m || /\\(?:pm|mp)(?![A-Za-z])/.test(m[3]!)) return null;
  const a = m[1]!.trim();
  const b = m[3]!.trim();
  if (!b) return null;
  const [first, second] = m[2] === 'pm' ? ['-', '+'] : ['+', '-'];
  const t = /[-+]/.test(b) ? `(${b})` : b;
  return a ? `${a} ${first} ${t}, ${a} ${second} ${t}` : `${first === '-' ? '-' : ''}${t}, ${second === '-' ? '-' : ''}${t}`;
}

/**
 * The variable an answer is about: the label of `x = 5`, of `x \in S`, of `x \geq 5` or `5 < x`,
 * of `a < x < b`; null for a bare value. `y = 5` answers a different question than `x = 5`.
 */
export function statedLabel(s: string): string | null {
  const eq = equationOf(s);
  if (eq) return isLabel(eq.lhs) && !isLabel(eq.rhs) ? eq.lhs : null;
  const member = /^(.{1,40}?)\\in(?![A-Za-z])/s.exec(s);
  if (member && isLabel(member[1]!.trim())) return member[1]!.trim();
  const { ops, parts } = relationParts(s);
  if (ops.length === 2 && isLabel(parts[1]!) && !isLabel(parts[0]!) && !isLabel(parts[2]!)) return parts[1]!;
  if (ops.length !== 1) return null;
  const [l, r] = [parts[0]!, parts[1]!];
  if (isLabel(l) && !isLabel(r)) return l;
  if (isLabel(r) && !isLabel(l)) return r;
  return null;
}

/** `-b` for a plain term, `-(b)` for a compound one. */
function negated(b: string): string {
  const t = b.trim();
  return /^(?:\\frac\{[^{}]*\}\{[^{}]*\}|[\w.]+)$/.test(t) ? `-${t}` : `-(${t})`;
}
