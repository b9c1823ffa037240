// A predicted matrix written as a sum or product of numeric matrices (`A + B`, `I\,I`): its value,
// so it compares cell by cell with a gold matrix. Numbers only; anything else is left unevaluated.
import { canonicalAnswer } from './canonical';
import { parseNumeric } from './numeric';
import { matrixOf } from './structure';

const BLOCK = /\\begin\{(pmatrix|bmatrix|Bmatrix|matrix)\}[\s\S]*?\\end\{\1\}/g;
const MAX_BLOCKS = 8;

/** The cells (as number text) of a sum/product of numeric matrices, or null. */
export function matrixValue(s: string): string[][] | null {
  const blocks: number[][][] = [];
  const ops: string[] = [];
  let from = 0;
  BLOCK.lastIndex = 0;
  for (let m = BLOCK.exec(s); m; m = BLOCK.exec(s)) {
    if (blocks.length >= MAX_BLOCKS) return null;
    const between = s.slice(from, m.index).trim();
    if (blocks.length === 0 ? between !== '' : !/^(?:\+|-|\\cdot|\\times|)$/.test(between)) return null;
    if (blocks.length > 0) ops.push(between === '\\cdot' || between === '\\times' ? '' : between);
    const cells = matrixOf(m[0]);
    const values = cells?.map((row) => row.map((c) => parseNumeric(canonicalAnswer(c))?.value ?? NaN));
    if (!values || values.some((row) => row.some((v) => !Number.isFinite(v)))) return null;
    blocks.push(values);
    from = m.index + m[0].length;
  }
  if (blocks.length < 2 || s.slice(from).trim() !== '') return null;
  // products first, then sums and differences, left to right
  const terms: { sign: number; m: number[][] }[] = [{ sign: 1, m: blocks[0]! }];
  for (let k = 0; k < ops.length; k++) {
    const next = blocks[k + 1]!;
    const last = terms[terms.length - 1]!;
    if (ops[k] === '') {
      const product = multiply(last.m, next);
      if (!product) return null;
      last.m = product;
    } else terms.push({ sign: ops[k] === '-' ? -1 : 1, m: next });
  }
  const [first, ...rest] = terms;
  const out = first!.m.map((row) => row.map((v) => first!.sign * v));
  for (const t of rest) {
    if (t.m.length !== out.length || t.m[0]!.length !== out[0]!.length) return null;
    t.m.forEach((row, i) => row.forEach((v, j) => (out[i]![j]! += t.sign * v)));
  }
  return out.map((row) => row.map((v) => String(Number(v.toPrecision(15)))));
}

function multiply(a: number[][], b: number[][]): number[][] | null {
  if (a[0]!.length !== b.length) return null;
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}
