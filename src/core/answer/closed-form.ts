// Constant LaTeX expressions (`33\sqrt{3}`, `\frac{\pi}{4}`, `2^{10}`) compared by value without
// the CAS: starting compute-engine costs milliseconds per check, most of a long chain's reward.
// Anything with a variable, or that the small parser cannot read, is left to the CAS (null).
import { LatexParseError, parseLatex } from './r1vl/mv-latex';
import { evaluate, exact, symbols, type Node } from './r1vl/mv-node';

const MAX_LENGTH = 200;

export function closedFormEqual(a: string, b: string, tolerance: number): boolean | null {
  if (a.length > MAX_LENGTH || b.length > MAX_LENGTH) return null;
  // the small parser drops degree signs (as latex2sympy does): `\sin 30^\circ` is for the CAS
  if (/\\circ|°|\\degree/.test(a + b)) return null;
  const x = constant(a);
  const y = constant(b);
  if (x === null || y === null) return null;
  const ex = exact(x);
  const ey = exact(y);
  if (ex && ey) return ex.p === ey.p && ex.q === ey.q;
  const vx = evaluate(x, () => NaN);
  const vy = evaluate(y, () => NaN);
  if (!Number.isFinite(vx) || !Number.isFinite(vy)) return null;
  // exact forms with integer values are exact: 10^{10}+1 is not 10^{10}
  if (!/[.]/.test(a + b) && Number.isSafeInteger(vx) && Number.isSafeInteger(vy)) return vx === vy;
  if (vx === 0 || vy === 0) return Math.abs(vx - vy) <= 1e-12;
  return Math.abs(vx - vy) <= tolerance * Math.max(Math.abs(vx), Math.abs(vy));
}

/** The expression when it is a plain constant (numbers, roots, π, powers, functions), else null. */
function constant(latex: string): Node | null {
  let n: Node;
  try {
    n = parseLatex(latex);
  } catch (e) {
    if (e instanceof LatexParseError || e instanceof RangeError) return null;
    throw e;
  }
  if (symbols(n).size > 0 || !isArithmetic(n)) return null;
  return n;
}

function isArithmetic(n: Node): boolean {
  switch (n.t) {
    case 'int':
    case 'rat':
    case 'float':
      return true;
    case 'const':
      return n.name === 'pi';
    case 'add':
    case 'mul':
    case 'fn':
      return n.a.every(isArithmetic);
    case 'pow':
      return isArithmetic(n.b) && isArithmetic(n.e);
    default:
      return false;
  }
}
