// Answers with structure, compared item by item: matrices (any environment), tuples (ordered),
// sets and bare lists (unordered, duplicates once), intervals (by bracket type), unions.
import { enclosesWhole, listItems, splitTopLevel } from './split';
import { comparableString } from './canonical';
import { valueSide } from './statement';
import { matrixValue } from './matrix-arith';

/** Beyond this many items a list is compared by canonical text only (bounded time). */
const MAX_ITEMS = 16;

/** Compares two item texts (the caller's full comparison, one level deeper). */
export type ItemCompare = (p: string, g: string) => boolean;

const MATRIX = /^\\begin\{(pmatrix|bmatrix|Bmatrix|matrix|smallmatrix|array)\}(?:\{[^{}]*\})?([\s\S]*)\\end\{\1\}$/;

/** The cells of a matrix written with any environment (`pmatrix`, `bmatrix`, `array`, …), outer brackets ignored. */
export function matrixOf(s: string): string[][] | null {
  let t = s.trim();
  if (!t.includes('\\begin')) return null;
  while (/^[([]/.test(t) && /[)\]]$/.test(t) && enclosesWhole(t)) t = t.slice(1, -1).trim();
  const m = MATRIX.exec(t);
  // `\begin{pmatrix}…\end{pmatrix} + \begin{pmatrix}…\end{pmatrix}` is two matrices, not one
  if (!m || m[2]!.includes(`\\end{${m[1]}}`)) return null;
  const rows = m[2]!
    .split('\\\\')
    .map((r) => r.trim())
    .filter((r) => r.length > 0)
    .map((r) => r.split('&').map((c) => c.trim()));
  return rows.length > 0 ? rows : null;
}

interface Shape {
  open: string;
  close: string;
  items: string[];
}

/** `(a, b)`, `[a, b)`, `\{a, b\}`, or a bare `a, b` list (bare TeX braces `{a, b}` only group). */
function shapeOf(s: string): Shape | null {
  let t = s.trim();
  let open = '';
  let close = '';
  if (t.startsWith('\\{') && t.endsWith('\\}')) {
    open = '{';
    close = '}';
    t = t.slice(2, -2);
  } else if (t.startsWith('{') && t.endsWith('}') && enclosesWhole(t)) {
    t = t.slice(1, -1);
  } else if (/^[([]/.test(t) && /[)\]]$/.test(t) && enclosesWhole(t)) {
    open = t[0]!;
    close = t[t.length - 1]!;
    t = t.slice(1, -1);
  }
  const items = listItems(t);
  if (items.length < 2 && !open) return null;
  return { open, close, items };
}

const isInterval = (s: Shape): boolean => s.items.length === 2 && (s.open === '[' || s.open === '(') && (s.close === ']' || s.close === ')');

/** Verdict for two structured answers, or null when neither is structured. */
export function compareStructure(p: string, g: string, same: ItemCompare): boolean | null {
  const gu = splitTopLevel(g, '\\cup');
  const pu = splitTopLevel(p, '\\cup');
  if (gu.length > 1 || pu.length > 1) return gu.length === pu.length && gu.every((x, i) => same(pu[i]!.trim(), x.trim()));

  const gm = matrixOf(g) ?? matrixValue(g);
  const pm = matrixOf(p) ?? matrixValue(p);
  if (gm || pm) {
    if (!gm || !pm || gm.length !== pm.length) return false;
    return gm.every((row, i) => row.length === pm[i]!.length && row.every((cell, j) => same(pm[i]![j]!, cell)));
  }

  const gs = shapeOf(g);
  const ps = shapeOf(p);
  if (!gs || !ps) return null;
  const inOrder = (): boolean => gs.items.length === ps.items.length && gs.items.every((x, i) => same(valueSide(ps.items[i]!), valueSide(x)));
  // a bare `a, b` and a parenthesised `(a, b)` are read as the same tuple
  const bareVsTuple = (gs.open === '' && ps.open === '(') || (ps.open === '' && gs.open === '(');
  if (isInterval(gs) || isInterval(ps)) {
    if (bareVsTuple) return inOrder();
    return gs.open === ps.open && gs.close === ps.close && inOrder();
  }
  if (gs.open === '(' && ps.open === '(') return inOrder();
  if (bareVsTuple && gs.items.length === ps.items.length) return inOrder();
  if (gs.items.length < 2 && ps.items.length < 2) return null;
  // sets and bare lists: order and repetition do not matter
  const gv = gs.items.map(valueSide);
  const pv = ps.items.map(valueSide);
  const gk = new Set(gv.map(comparableString));
  const pk = new Set(pv.map(comparableString));
  if (gv.length > MAX_ITEMS || pv.length > MAX_ITEMS) return gk.size === pk.size && [...gk].every((k) => pk.has(k));
  const covered = (xs: string[], ys: string[], yk: Set<string>, cmp: ItemCompare): boolean => xs.every((x) => yk.has(comparableString(x)) || ys.some((y) => cmp(x, y)));
  return covered(gv, pv, pk, (x, y) => same(y, x)) && covered(pv, gv, gk, same);
}
