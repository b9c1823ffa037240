// The values Math-Verify's `parse` yields, in the small shape we need to compare them the way its
// `verify` does: numbers (exact integers and rationals, or floats as sympy's Float), symbols,
// sums, products, powers, functions, relations, sets, tuples, intervals, matrices.
// Exact arithmetic uses BigInt rationals; everything else is evaluated in doubles.

export type Node =
  | { t: 'int'; v: bigint }
  | { t: 'rat'; p: bigint; q: bigint }
  | { t: 'float'; v: number }
  | { t: 'sym'; name: string }
  | { t: 'const'; name: 'pi' | 'oo' | 'I' }
  | { t: 'add'; a: Node[] }
  | { t: 'mul'; a: Node[] }
  | { t: 'pow'; b: Node; e: Node }
  | { t: 'fn'; name: string; a: Node[] }
  /** `x%`: sympy's Mul(x, 1/100) that Math-Verify recognises as a percentage. */
  | { t: 'pct'; a: Node }
  | { t: 'rel'; op: RelOp; l: Node; r: Node }
  /** A chain `a < b < c` read as the relations it is made of. */
  | { t: 'and'; a: Node[] }
  | { t: 'set'; a: Node[] }
  | { t: 'tuple'; a: Node[] }
  | { t: 'interval'; lo: Node; hi: Node; lopen: boolean; ropen: boolean }
  | { t: 'matrix'; rows: Node[][] };

export type RelOp = '=' | '<' | '<=' | '>' | '>=' | '!=';

export const INT = (v: bigint): Node => ({ t: 'int', v });
export const neg = (a: Node): Node => (a.t === 'int' ? INT(-a.v) : a.t === 'float' ? { t: 'float', v: -a.v } : { t: 'mul', a: [INT(-1n), a] });

/** Numbers as sympy has them after `doit()`: Integer, Rational, Float (with the pct wrapper seen through when `pct`). */
export function isNumberAtom(n: Node, pct = true): boolean {
  if (n.t === 'int' || n.t === 'rat' || n.t === 'float') return true;
  return pct && n.t === 'pct' && isNumberAtom(n.a, false);
}

export function isFloatAtom(n: Node): boolean {
  return n.t === 'float' || (n.t === 'pct' && n.a.t === 'float');
}

export const isRelation = (n: Node): boolean => n.t === 'rel' || (n.t === 'and' && n.a.length > 0 && n.a.every((x) => x.t === 'rel'));
export const isEquation = (n: Node): boolean => (n.t === 'rel' && n.op === '=') || (n.t === 'and' && n.a.length > 0 && n.a.every((x) => x.t === 'rel' && x.op === '='));
export const isSet = (n: Node): boolean => n.t === 'set' || n.t === 'interval';

export function firstRelation(n: Node): Node {
  return n.t === 'and' ? n.a[0]! : n;
}
export function lastRelation(n: Node): Node {
  return n.t === 'and' ? lastRelation(n.a[n.a.length - 1]!) : n;
}

/**
 * Made of symbols only (latex2sympy's is_expr_of_only_symbols): a symbol, something whose parts
 * all are (`xy`, `f(x)`, `(p, q)`), or such a thing to the power −1 (`\frac{NO}{BO}`).
 */
export function onlySymbols(n: Node): boolean {
  switch (n.t) {
    case 'sym':
      return true;
    case 'mul':
    case 'add':
    case 'fn':
    case 'set':
    case 'tuple':
      return n.a.length > 0 && n.a.every(onlySymbols);
    case 'pow':
      return onlySymbols(n.b) && ((n.e.t === 'int' && n.e.v === -1n) || onlySymbols(n.e));
    case 'interval':
      return onlySymbols(n.lo) && onlySymbols(n.hi);
    default:
      return false;
  }
}

/** `x = 1` (or a chain of equalities starting with symbols): Math-Verify's assignment. */
export function isAssignment(n: Node): boolean {
  if (n.t === 'rel') return n.op === '=' && onlySymbols(n.l);
  return n.t === 'and' && isEquation(n) && onlySymbols((n.a[0] as Extract<Node, { t: 'rel' }>).l);
}

/** A canonical text for structural equality (sympy's `==` on unevaluated trees, approximately). */
export function key(n: Node): string {
  switch (n.t) {
    case 'int':
      return n.v.toString();
    case 'rat':
      return `${n.p}/${n.q}`;
    case 'float':
      return `f${n.v}`;
    case 'sym':
      return n.name;
    case 'const':
      return `#${n.name}`;
    case 'add':
      return `(${n.a.map(key).sort().join('+')})`;
    case 'mul':
      return `(${n.a.map(key).sort().join('*')})`;
    case 'pow':
      return `(${key(n.b)}^${key(n.e)})`;
    case 'fn':
      return `${n.name}(${n.a.map(key).join(',')})`;
    case 'pct':
      return `(${key(n.a)}%)`;
    case 'rel':
      return `(${key(n.l)}${n.op}${key(n.r)})`;
    case 'and':
      return `and(${n.a.map(key).join(',')})`;
    case 'set':
      return `{${[...new Set(n.a.map(key))].sort().join(',')}}`;
    case 'tuple':
      return `t(${n.a.map(key).join(',')})`;
    case 'interval':
      return `${n.lopen ? '(' : '['}${key(n.lo)},${key(n.hi)}${n.ropen ? ')' : ']'}`;
    case 'matrix':
      return `m[${n.rows.map((r) => r.map(key).join(',')).join(';')}]`;
  }
}

// ---- exact rationals ----

export interface Q {
  p: bigint;
  q: bigint;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const HUGE = 2n ** 256n;
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}
export function q(p: bigint, den: bigint): Q | null {
  if (den === 0n) return null;
  if (den < 0n) [p, den] = [-p, -den];
  const g = gcd(p, den) || 1n;
  return { p: p / g, q: den / g };
}

/** The exact rational value of an expression of integers and rationals, or null. */
export function exact(n: Node): Q | null {
  switch (n.t) {
    case 'int':
      return { p: n.v, q: 1n };
    case 'rat':
      return q(n.p, n.q);
    case 'pct': {
      const a = exact(n.a);
      return a && q(a.p, a.q * 100n);
    }
    case 'add': {
      let s: Q | null = { p: 0n, q: 1n };
      for (const x of n.a) {
        const v = exact(x);
        if (!v || !s) return null;
        s = q(s.p * v.q + v.p * s.q, s.q * v.q);
      }
      return s;
    }
    case 'mul': {
      let s: Q | null = { p: 1n, q: 1n };
      for (const x of n.a) {
        const v = exact(x);
        if (!v || !s) return null;
        s = q(s.p * v.p, s.q * v.q);
      }
      return s;
    }
    case 'pow': {
      const b = exact(n.b);
      const e = exact(n.e);
      // bounded: a huge base to a power would be a huge exact number (evaluated in doubles instead)
      if (!b || !e || e.q !== 1n || abs(e.p) > 64n || abs(b.p) > HUGE || b.q > HUGE) return null;
      if (e.p >= 0n) return q(b.p ** e.p, b.q ** e.p);
      return q(b.q ** -e.p, b.p ** -e.p);
    }
    default:
      return null;
  }
}

// ---- numeric evaluation ----

const FNS: Record<string, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  cot: (x) => 1 / Math.tan(x),
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
  ln: Math.log,
  log: Math.log,
  exp: Math.exp,
  sqrt: Math.sqrt,
  abs: Math.abs,
};

/** The value in doubles with the symbols bound by `env` (NaN where undefined). */
export function evaluate(n: Node, env: (name: string) => number): number {
  switch (n.t) {
    case 'int':
      return Number(n.v);
    case 'rat':
      return Number(n.p) / Number(n.q);
    case 'float':
      return n.v;
    case 'sym':
      return env(n.name);
    case 'const':
      return n.name === 'pi' ? Math.PI : n.name === 'oo' ? Infinity : NaN;
    case 'add':
      return n.a.reduce((s, x) => s + evaluate(x, env), 0);
    case 'mul':
      return n.a.reduce((s, x) => s * evaluate(x, env), 1);
    case 'pow':
      return Math.pow(evaluate(n.b, env), evaluate(n.e, env));
    case 'pct':
      return evaluate(n.a, env) / 100;
    case 'fn': {
      const f = FNS[n.name];
      if (!f || n.a.length !== 1) {
        if (n.name === 'root' && n.a.length === 2) return Math.pow(evaluate(n.a[0]!, env), 1 / evaluate(n.a[1]!, env));
        if (n.name === 'fact' && n.a.length === 1) return factorial(evaluate(n.a[0]!, env));
        return NaN;
      }
      return f(evaluate(n.a[0]!, env));
    }
    default:
      return NaN;
  }
}

function factorial(x: number): number {
  if (!Number.isInteger(x) || x < 0 || x > 170) return NaN;
  let r = 1;
  for (let i = 2; i <= x; i++) r *= i;
  return r;
}

/** The free symbols of an expression. */
export function symbols(n: Node, out = new Set<string>()): Set<string> {
  if (n.t === 'sym') out.add(n.name);
  else if ('a' in n && Array.isArray(n.a)) for (const x of n.a) symbols(x, out);
  else if (n.t === 'pow') {
    symbols(n.b, out);
    symbols(n.e, out);
  } else if (n.t === 'pct') symbols(n.a, out);
  else if (n.t === 'rel') {
    symbols(n.l, out);
    symbols(n.r, out);
  }
  return out;
}

/**
 * A sum or product of matrices with number cells, evaluated (sympy's doit() on a matrix
 * expression); anything else as it is.
 */
export function evaluateMatrices(n: Node): Node {
  if ((n.t !== 'add' && n.t !== 'mul') || !n.a.every((x) => x.t === 'matrix')) return n;
  const values = (n.a as Extract<Node, { t: 'matrix' }>[]).map((m) => m.rows.map((r) => r.map((c) => evaluate(c, () => NaN))));
  if (values.some((m) => m.some((r) => r.some((v) => !Number.isFinite(v))))) return n;
  let acc = values[0]!;
  for (const m of values.slice(1)) {
    if (n.t === 'add') {
      if (m.length !== acc.length || m[0]!.length !== acc[0]!.length) return n;
      acc = acc.map((r, i) => r.map((v, j) => v + m[i]![j]!));
    } else {
      if (acc[0]!.length !== m.length) return n;
      acc = acc.map((r) => m[0]!.map((_, j) => r.reduce((sum, v, k) => sum + v * m[k]![j]!, 0)));
    }
  }
  return { t: 'matrix', rows: acc.map((r) => r.map((v): Node => (Number.isSafeInteger(v) ? INT(BigInt(v)) : { t: 'float', v }))) };
}
