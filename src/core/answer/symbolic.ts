// The slow path of answer checking: LaTeX compared symbolically with @cortex-js/compute-engine
// (a maintained CAS for LaTeX; no home-made algebra). Only reached when the fast paths (strings,
// numbers, letters) cannot decide. The engine is created on first use (~35 ms) and reused.
import { ComputeEngine } from '@cortex-js/compute-engine';

type Expr = ReturnType<ComputeEngine['parse']>;

let engine: ComputeEngine | null = null;
function ce(): ComputeEngine {
  if (!engine) {
    engine = new ComputeEngine();
    // Its default absolute tolerance (1e-10) makes 1e-10 equal 2e-10; closeness is decided here, relatively.
    engine.tolerance = 1e-300;
  }
  return engine;
}

/** Inputs beyond this length are not handed to the CAS (bounded time on pathological input). */
const MAX_LATEX = 400;
const SAMPLE_POINTS = [0.7, -1.3, 2.1];

/**
 * True when the two LaTeX expressions are equal (structurally, after simplification, or
 * numerically at a few sample points of their free variables), false when they are not, null when
 * the CAS cannot tell (parse errors, unsupported constructs).
 */
export function symbolicEqual(a: string, b: string, tolerance: number): boolean | null {
  if (a.length > MAX_LATEX || b.length > MAX_LATEX) return null;
  // The engine reports some internal type errors on the console; a reward check must stay quiet.
  const saved = { error: console.error, info: console.info, log: console.log, group: console.group };
  const quiet = (): void => {};
  console.error = console.info = console.log = console.group = quiet;
  try {
    return compareWithEngine(a, b, tolerance);
  } catch {
    return null;
  } finally {
    Object.assign(console, saved);
  }
}

function compareWithEngine(a: string, b: string, tolerance: number): boolean | null {
  {
    const x = ce().parse(a);
    const y = ce().parse(b);
    if (!x.isValid || !y.isValid) return null;
    if (x.isSame(y)) return true;
    const eq = x.isEqual(y);
    if (eq === true) return true;
    const vars = new Set<string>([...freeVariables(x), ...freeVariables(y)]);
    if (vars.size === 0) {
      const vx = numericValue(x);
      const vy = numericValue(y);
      if (vx === null || vy === null) return eq === false ? false : null;
      // Exact forms that evaluate to integers are exact: 10^{10}+1 is not 10^{10}.
      if (!/[.]/.test(a + b) && Number.isSafeInteger(vx) && Number.isSafeInteger(vy)) return vx === vy;
      return closeEnough(vx, vy, tolerance);
    }
    if (vars.size > 4) return null;
    let compared = 0;
    for (const p of SAMPLE_POINTS) {
      const subs: Record<string, number> = {};
      let k = 0;
      for (const v of vars) subs[v] = p + 0.37 * k++;
      const vx = numericValue(x.subs(subs));
      const vy = numericValue(y.subs(subs));
      if (vx === null || vy === null) continue;
      if (!closeEnough(vx, vy, tolerance)) return false;
      compared++;
    }
    return compared > 0 ? true : null;
  }
}

/**
 * True when `a / b` is one nonzero constant (positive when `positive`) at every sample point of
 * their free variables — the two sides of `a = 0` / `a < 0` describe the same set. Null when the
 * CAS cannot tell.
 */
export function symbolicProportional(a: string, b: string, positive: boolean): boolean | null {
  if (a.length > MAX_LATEX || b.length > MAX_LATEX) return null;
  const saved = { error: console.error, info: console.info, log: console.log, group: console.group };
  console.error = console.info = console.log = console.group = (): void => {};
  try {
    const x = ce().parse(a);
    const y = ce().parse(b);
    if (!x.isValid || !y.isValid) return null;
    const vars = [...new Set<string>([...freeVariables(x), ...freeVariables(y)])];
    if (vars.length === 0 || vars.length > 4) return null;
    let ratio: number | null = null;
    for (const p of [...SAMPLE_POINTS, 3.7]) {
      const subs: Record<string, number> = {};
      vars.forEach((v, k) => (subs[v] = p + 0.37 * k));
      const vx = numericValue(x.subs(subs));
      const vy = numericValue(y.subs(subs));
      if (vx === null || vy === null) continue;
      if (vy === 0 || vx === 0) {
        if (vx !== vy) return false;
        continue;
      }
      const r = vx / vy;
      if (ratio === null) ratio = r;
      else if (!closeEnough(r, ratio, 1e-9)) return false;
    }
    if (ratio === null) return null;
    return positive ? ratio > 0 : true;
  } catch {
    return null;
  } finally {
    Object.assign(console, saved);
  }
}

function freeVariables(e: Expr): string[] {
  const ids = (e as unknown as { unknowns?: readonly string[] }).unknowns;
  return ids ? [...ids] : [];
}

function numericValue(e: Expr): number | null {
  const n = e.N();
  const re = n.re;
  const im = n.im;
  if (typeof re !== 'number' || !Number.isFinite(re)) return null;
  if (typeof im === 'number' && Math.abs(im) > 1e-12) return null;
  return re;
}

/**
 * Relative closeness; the absolute floor only applies against an exact zero (evaluation noise such
 * as sin(π) ≈ 1e-16), so tiny magnitudes are still told apart: 1e-13 is not 2e-13.
 */
function closeEnough(x: number, y: number, tolerance: number): boolean {
  if (x === 0 || y === 0) return Math.abs(x - y) <= 1e-12;
  return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
}
