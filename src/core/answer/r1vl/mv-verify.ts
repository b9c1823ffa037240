// Math-Verify 0.8.0's `verify(gold, target)` with its defaults (float_rounding 6, strict, no
// set–relation comparison unless the target is a set): every pair of the two parse results is
// compared and any match wins; values with values, strings with strings (stripped, non-empty,
// equal), a value never with a string. The order of arguments matters (assignments, relations
// read as sets). Where the original asks sympy to simplify or solve, this compares numerically at
// sample points of the free symbols, and solves only single-variable linear equations.
import {
  evaluate,
  evaluateMatrices,
  exact,
  firstRelation,
  isAssignment,
  isEquation,
  isFloatAtom,
  isNumberAtom,
  isRelation,
  isSet,
  key,
  lastRelation,
  neg,
  symbols,
  type Node,
  type RelOp,
} from './mv-node';
import type { Parsed } from './mv-parse';

const FLOAT_ROUNDING = 6;

export function mvVerify(gold: Parsed, target: Parsed): boolean {
  for (const g of gold) {
    for (const t of target) {
      if (typeof g === 'string' && typeof t === 'string') {
        const a = pyStrip(g);
        if (a.length > 0 && a === pyStrip(t)) return true;
      } else if (typeof g !== 'string' && typeof t !== 'string') {
        try {
          if (exprEq(g, t)) return true;
        } catch {
          // the original catches every error of a comparison and counts it as "not equal"
        }
      }
    }
  }
  return false;
}

/** Python's whitespace (str.isspace): JavaScript's `\s` without U+FEFF, plus U+001C–U+001F and U+0085. */
export function isPySpace(c: string): boolean {
  // eslint-disable-next-line no-control-regex -- U+001C–U+001F are whitespace to Python
  return c !== '\ufeff' && /[\s\x1c-\x1f\x85]/.test(c);
}

/** Python's str.strip(). */
export function pyStrip(s: string): string {
  let b = 0;
  let e = s.length;
  while (b < e && isPySpace(s[b]!)) b++;
  while (e > b && isPySpace(s[e - 1]!)) e--;
  return s.slice(b, e);
}

class Incomparable extends Error {}

function exprEq(goldIn: Node, predIn: Node): boolean {
  let gold = evaluateMatrices(goldIn);
  let pred = evaluateMatrices(predIn);
  const goldAssign = isAssignment(gold);
  const predAssign = isAssignment(pred);
  const goldEquation = isEquation(gold);
  const predEquation = isEquation(pred);
  if (goldAssign) gold = rel('=', side(firstRelation(gold), 'l'), side(lastRelation(gold), 'r'));
  if (predAssign) pred = rel('=', side(firstRelation(pred), 'l'), side(lastRelation(pred), 'r'));
  if (predEquation && !goldEquation) pred = side(lastRelation(pred), 'r');
  else if (goldAssign && !predEquation) gold = side(lastRelation(gold), 'r');
  if (isRelation(gold) && isSet(pred)) gold = relationAsSet(gold) ?? gold;

  if (key(gold) === key(pred)) return true;
  if (isRelation(gold) && isRelation(pred)) return compareRelational(gold, pred);
  if (isSet(gold) || isSet(pred) || gold.t === 'tuple' || pred.t === 'tuple') return compareSets(gold, pred);
  if (gold.t === 'sym' || pred.t === 'sym') return compareSymbols(gold, pred);
  return numericEq(gold, pred) || symbolicEq(gold, pred);
}

const rel = (op: RelOp, l: Node, r: Node): Node => ({ t: 'rel', op, l, r });
function side(n: Node, which: 'l' | 'r'): Node {
  if (n.t !== 'rel') throw new Incomparable('not a relation');
  return n[which];
}
const minus = (a: Node, b: Node): Node => ({ t: 'add', a: [a, neg(b)] });

const INVERSE: Partial<Record<RelOp, RelOp>> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=' };

function compareRelational(gold: Node, pred: Node): boolean {
  if (gold.t === 'and' && pred.t === 'and') {
    if (gold.a.length !== pred.a.length) throw new Incomparable('zip strict');
    return gold.a.every((g, k) => compareRelational(g, pred.a[k]!));
  }
  if (gold.t !== 'rel' || pred.t !== 'rel') return false;
  if (gold.op === pred.op && safe(() => exprEq(minus(gold.l, gold.r), minus(pred.l, pred.r)))) return true;
  const inverse = INVERSE[gold.op];
  if (inverse === undefined) throw new Incomparable('no inverse relation');
  if (inverse === pred.op && safe(() => exprEq(minus(gold.l, gold.r), minus(pred.r, pred.l)))) return true;
  return safe(() => solveAndCompare(gold, pred));
}

function safe(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}

/** Both equations in one and the same variable, linear: the same root. (sympy's solve does more.) */
function solveAndCompare(gold: Extract<Node, { t: 'rel' }>, pred: Extract<Node, { t: 'rel' }>): boolean {
  if (gold.op !== '=' || pred.op !== '=') return false;
  const gv = [...symbols(gold)];
  const pv = [...symbols(pred)];
  if (gv.length !== 1 || pv.length !== 1 || gv[0] !== pv[0]) return false;
  const rg = linearRoot(minus(gold.l, gold.r), gv[0]!);
  const rp = linearRoot(minus(pred.l, pred.r), pv[0]!);
  return rg !== null && rp !== null && Math.abs(rg - rp) <= 1e-9 * Math.max(1, Math.abs(rg));
}

function linearRoot(f: Node, name: string): number | null {
  const at = (x: number) => evaluate(f, (n) => (n === name ? x : NaN));
  const f0 = at(0);
  const slope = at(1) - f0;
  if (!Number.isFinite(f0) || !Number.isFinite(slope) || slope === 0) return null;
  const root = -f0 / slope;
  return Math.abs(at(2) - (f0 + 2 * slope)) <= 1e-9 * Math.max(1, Math.abs(f0)) ? root : null;
}

/** `x < 3` → (-oo, 3); `1 < x \leq 2` → (1, 2]; null when it is not one variable against values. */
function relationAsSet(n: Node): Node | null {
  const rels = n.t === 'and' ? n.a : [n];
  let lo: Node = { t: 'const', name: 'oo' };
  lo = neg(lo);
  let hi: Node = { t: 'const', name: 'oo' };
  let lopen = true;
  let ropen = true;
  let variable: string | null = null;
  for (const r of rels) {
    if (r.t !== 'rel' || r.op === '=' || r.op === '!=') return null;
    const [v, other, op] = r.l.t === 'sym' ? [r.l.name, r.r, r.op] : r.r.t === 'sym' ? [r.r.name, r.l, INVERSE[r.op]!] : [null, r.l, r.op];
    if (v === null || (variable !== null && v !== variable) || symbols(other).size > 0) return null;
    variable = v;
    if (op === '<' || op === '<=') {
      hi = other;
      ropen = op === '<';
    } else {
      lo = other;
      lopen = op === '>';
    }
  }
  return { t: 'interval', lo, hi, lopen, ropen };
}

function compareSets(goldIn: Node, predIn: Node): boolean {
  const gold: Node = isSet(goldIn) || goldIn.t === 'tuple' ? goldIn : { t: 'set', a: [goldIn] };
  const pred: Node = isSet(predIn) || predIn.t === 'tuple' ? predIn : { t: 'set', a: [predIn] };
  if (gold.t === 'interval' && pred.t === 'interval') {
    return gold.lopen === pred.lopen && gold.ropen === pred.ropen && exprEq(gold.lo, pred.lo) && exprEq(gold.hi, pred.hi);
  }
  if (key(gold) === key(pred)) return true;
  if (gold.t === 'set' && pred.t === 'set' && sameExactSet(gold.a, pred.a)) return true;
  if ((gold.t === 'set' || gold.t === 'tuple') && (pred.t === 'set' || pred.t === 'tuple')) return deepCompare(gold, pred);
  if (gold.t === 'interval' && gold.lopen && gold.ropen && (pred.t === 'set' || pred.t === 'tuple') && pred.a.length === 2) {
    return deepCompare({ t: 'tuple', a: [gold.lo, gold.hi] }, pred);
  }
  if (pred.t === 'interval' && pred.lopen && pred.ropen && (gold.t === 'set' || gold.t === 'tuple') && gold.a.length === 2) {
    return deepCompare(gold, { t: 'tuple', a: [pred.lo, pred.hi] });
  }
  return false;
}

/** Finite sets of exact numbers: sympy's symmetric difference is empty. */
function sameExactSet(a: Node[], b: Node[]): boolean {
  const values = (xs: Node[]): Set<string> | null => {
    const out = new Set<string>();
    for (const x of xs) {
      const v = exact(x);
      if (!v) return null;
      out.add(`${v.p}/${v.q}`);
    }
    return out;
  };
  const va = values(a);
  const vb = values(b);
  return va !== null && vb !== null && va.size === vb.size && [...va].every((v) => vb.has(v));
}

type Listy = Extract<Node, { t: 'set' | 'tuple' }>;

function deepCompare(gold: Listy, pred: Listy): boolean {
  if (gold.a.length !== pred.a.length) return false;
  let g = gold.a;
  let p = pred.a;
  if (gold.t === 'set') {
    g = ordered(g);
    p = ordered(p);
  } else if (pred.t === 'set' && !(gold.t === 'tuple')) p = ordered(p);
  return g.every((x, k) => exprEq(x, p[k]!));
}

/** sympy's `ordered` by value where there is one (assignments by their value), else by text. */
function ordered(items: Node[]): Node[] {
  const sortValue = (n: Node): number => {
    const v = n.t === 'rel' && n.op === '=' ? n.r : n;
    return evaluate(v, () => NaN);
  };
  return [...items].sort((x, y) => {
    const a = sortValue(x);
    const b = sortValue(y);
    if (Number.isFinite(a) && Number.isFinite(b)) return a - b;
    if (Number.isFinite(a) !== Number.isFinite(b)) return Number.isFinite(a) ? -1 : 1;
    return key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;
  });
}

function compareSymbols(gold: Node, pred: Node): boolean {
  const concat = (n: Node): string | null => (n.t === 'mul' && n.a.every((x) => x.t === 'sym') ? n.a.map((x) => (x as { name: string }).name).join('') : null);
  if (gold.t === 'sym' && pred.t === 'mul') {
    const c = concat(pred);
    if (c !== null) return gold.name.toLowerCase() === c.toLowerCase();
  }
  if (pred.t === 'sym' && gold.t === 'mul') {
    const c = concat(gold);
    if (c !== null) return pred.name.toLowerCase() === c.toLowerCase();
  }
  if (gold.t === 'sym' && pred.t === 'sym') {
    const g = gold.name.length > 1 ? gold.name.toLowerCase() : gold.name;
    const p = pred.name.length > 1 ? pred.name.toLowerCase() : pred.name;
    return g === p;
  }
  return key(gold) === key(pred);
}

function numericEq(a: Node, b: Node): boolean {
  if (a.t === 'matrix' && b.t === 'matrix') {
    if (a.rows.length !== b.rows.length || a.rows[0]!.length !== b.rows[0]!.length) return false;
    return a.rows.every((row, i) => row.every((x, j) => numericEq(x, b.rows[i]![j]!)));
  }
  if (isNumberAtom(a) || isNumberAtom(b)) {
    if (isFloatAtom(a) || isFloatAtom(b)) {
      const x = evaluate(a, () => NaN);
      const y = evaluate(b, () => NaN);
      return Number.isFinite(x) && Number.isFinite(y) && round(x) === round(y);
    }
    const ea = exact(a);
    const eb = exact(b);
    if (ea && eb) return ea.p === eb.p && ea.q === eb.q;
    return (
      symbols(a).size === 0 &&
      symbols(b).size === 0 &&
      close(
        evaluate(a, () => NaN),
        evaluate(b, () => NaN),
        1e-12,
      )
    );
  }
  if (symbols(a).size > 0 || symbols(b).size > 0) return false;
  return close(
    evaluate(a, () => NaN),
    evaluate(b, () => NaN),
    1e-13,
  );
}

function round(x: number): number {
  return Number(x.toFixed(FLOAT_ROUNDING));
}

const POINTS = [0.5772, 1.3247, 2.7183];

/** simplify(a − b) == 0, approximated: a − b vanishes at sample points of the free symbols. */
function symbolicEq(a: Node, b: Node): boolean {
  if (a.t === 'matrix' || b.t === 'matrix' || isRelation(a) || isRelation(b)) return false;
  const vars = [...new Set([...symbols(a), ...symbols(b)])];
  for (let k = 0; k < POINTS.length; k++) {
    const env = (name: string): number => POINTS[(k + vars.indexOf(name)) % POINTS.length]! + vars.indexOf(name) * 0.1;
    if (!close(evaluate(a, env), evaluate(b, env), 1e-10)) return false;
  }
  return true;
}

function close(x: number, y: number, rel: number): boolean {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= rel * Math.max(1, Math.abs(x), Math.abs(y));
}
