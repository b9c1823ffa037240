// Question templates of the synthetic task. Each turns a scene into a question and the reasoning
// that answers it: counting steps, then arithmetic steps with explicit equations. The phrasing is
// small and regular on purpose, so that a few-million-parameter model can learn it in minutes.
import type { KeyStepGroup } from '../../core/reward-types';
import type { Rng } from '../../model/rng';
import { countWhere, plural, type Color, type Item, type Scene, type Shape } from './scene';

/** A set of shapes a question talks about: all of one shape, all of one colour, or all shapes. */
export type Category = { kind: 'shape'; shape: Shape } | { kind: 'color'; color: Color } | { kind: 'all' };

export function nounOf(c: Category): string {
  switch (c.kind) {
    case 'shape':
      return c.shape;
    case 'color':
      return `${c.color} shape`;
    case 'all':
      return 'shape';
  }
}

export function belongs(c: Category, it: Item): boolean {
  return c.kind === 'all' || (c.kind === 'shape' ? it.shape === c.shape : it.color === c.color);
}

export function countOf(scene: Scene, c: Category): number {
  return countWhere(scene, (it) => belongs(c, it));
}

/** What a template produces: the question, its numeric answer, the steps and their key steps. */
export interface Problem {
  template: TemplateId;
  question: string;
  /** The template's parameters in a canonical text form (part of the promptId key). */
  params: string;
  rationale: string;
  steps: string[];
  keySteps: KeyStepGroup[];
  value: number;
}

export const TEMPLATE_IDS = ['total', 'difference', 'points', 'remove', 'remove_add', 'copies'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export interface TemplateOptions {
  shapes: readonly Shape[];
  colors: readonly Color[];
  /** Inclusive range of the per-shape points in the `points` template and of multipliers. */
  points: readonly [number, number];
}

/** Builds a problem step by step so the steps and their key steps cannot drift apart. */
class StepWriter {
  readonly steps: string[] = [];
  readonly keySteps: KeyStepGroup[] = [];

  count(scene: Scene, c: Category): number {
    const n = countOf(scene, c);
    const noun = nounOf(c);
    this.steps.push(`Count the ${noun}s. There ${n === 1 ? 'is' : 'are'} ${plural(n, noun)}.`);
    this.keySteps.push(plural(n, noun));
    return n;
  }

  /** One arithmetic step with an explicit equation; both orders of a commutative operation are accepted. */
  equation(lead: string, a: number, op: '+' | '-' | '*', b: number): number {
    const v = op === '+' ? a + b : op === '-' ? a - b : a * b;
    const eq = `${a} ${op} ${b} = ${v}`;
    this.steps.push(`${lead}: ${eq}.`);
    this.keySteps.push(op === '-' || a === b ? eq : [eq, `${b} ${op} ${a} = ${v}`]);
    return v;
  }
}

function twoDistinct<T>(rng: Rng, items: readonly T[]): [T, T] {
  const [a, b] = rng.shuffle([...items]);
  return [a!, b!];
}

/** Two categories of the same kind (two shapes or two colours), so they never overlap. */
function categoryPair(rng: Rng, o: TemplateOptions): [Category, Category] {
  const byShape = o.colors.length < 2 || (o.shapes.length >= 2 && rng.next() < 0.5);
  if (byShape) {
    const [a, b] = twoDistinct(rng, o.shapes);
    return [
      { kind: 'shape', shape: a },
      { kind: 'shape', shape: b },
    ];
  }
  const [a, b] = twoDistinct(rng, o.colors);
  return [
    { kind: 'color', color: a },
    { kind: 'color', color: b },
  ];
}

function category(rng: Rng, o: TemplateOptions): Category {
  return rng.next() < 0.5 ? { kind: 'shape', shape: rng.pick(o.shapes) } : { kind: 'color', color: rng.pick(o.colors) };
}

const key = (c: Category): string => (c.kind === 'shape' ? c.shape : c.kind === 'color' ? c.color : 'all');

type Maker = (scene: Scene, rng: Rng, o: TemplateOptions) => Problem;

const MAKERS: Record<TemplateId, Maker> = {
  total(scene, rng, o) {
    const [x, y] = categoryPair(rng, o);
    const w = new StepWriter();
    const a = w.count(scene, x);
    const b = w.count(scene, y);
    const v = w.equation('Add the two counts', a, '+', b);
    return {
      template: 'total',
      question: `How many ${nounOf(x)}s and ${nounOf(y)}s are there in total?`,
      params: `${key(x)},${key(y)}`,
      rationale: `Count the ${nounOf(x)}s and the ${nounOf(y)}s, then add the two counts.`,
      steps: w.steps,
      keySteps: w.keySteps,
      value: v,
    };
  },

  difference(scene, rng, o) {
    let [x, y] = categoryPair(rng, o);
    if (countOf(scene, x) < countOf(scene, y)) [x, y] = [y, x];
    const w = new StepWriter();
    const a = w.count(scene, x);
    const b = w.count(scene, y);
    const v = w.equation('Subtract the smaller count', a, '-', b);
    return {
      template: 'difference',
      question: `How many more ${nounOf(x)}s than ${nounOf(y)}s are there?`,
      params: `${key(x)},${key(y)}`,
      rationale: `Count the ${nounOf(x)}s and the ${nounOf(y)}s, then subtract the second count from the first.`,
      steps: w.steps,
      keySteps: w.keySteps,
      value: v,
    };
  },

  points(scene, rng, o) {
    const [x, y] = categoryPair(rng, o);
    const [p, q] = [rng.int(o.points[0], o.points[1]), rng.int(o.points[0], o.points[1])];
    const w = new StepWriter();
    const a = w.count(scene, x);
    const b = w.count(scene, y);
    const sa = w.equation(`The ${nounOf(x)}s score`, a, '*', p);
    const sb = w.equation(`The ${nounOf(y)}s score`, b, '*', q);
    const v = w.equation('Add the two scores', sa, '+', sb);
    return {
      template: 'points',
      question: `Each ${nounOf(x)} is worth ${p} points and each ${nounOf(y)} is worth ${q} points. What is the total score?`,
      params: `${key(x)}=${p},${key(y)}=${q}`,
      rationale: `Count the ${nounOf(x)}s and the ${nounOf(y)}s, multiply each count by its points, then add the two scores.`,
      steps: w.steps,
      keySteps: w.keySteps,
      value: v,
    };
  },

  remove(scene, rng, o) {
    const x = category(rng, o);
    const w = new StepWriter();
    const n = w.count(scene, { kind: 'all' });
    const a = w.count(scene, x);
    const v = w.equation(`Take away the ${nounOf(x)}s`, n, '-', a);
    return {
      template: 'remove',
      question: `If all the ${nounOf(x)}s are removed, how many shapes are left?`,
      params: key(x),
      rationale: `Count all the shapes and the ${nounOf(x)}s, then subtract the ${nounOf(x)}s from the total.`,
      steps: w.steps,
      keySteps: w.keySteps,
      value: v,
    };
  },

  remove_add(scene, rng, o) {
    const x = category(rng, o);
    const k = rng.int(1, 3);
    const added = `${rng.pick(o.colors)} ${rng.pick(o.shapes)}`;
    const w = new StepWriter();
    const n = w.count(scene, { kind: 'all' });
    const a = w.count(scene, x);
    const m = w.equation(`Take away the ${nounOf(x)}s`, n, '-', a);
    const v = w.equation('Add the new shapes', m, '+', k);
    return {
      template: 'remove_add',
      question: `If all the ${nounOf(x)}s are removed and ${plural(k, added)} ${k === 1 ? 'is' : 'are'} added, how many shapes are there?`,
      params: `${key(x)},${k},${added}`,
      rationale: `Count all the shapes and the ${nounOf(x)}s, subtract the ${nounOf(x)}s, then add the ${k} new shapes.`,
      steps: w.steps,
      keySteps: w.keySteps,
      value: v,
    };
  },

  copies(scene, rng, o) {
    const x = category(rng, o);
    const k = rng.int(o.points[0], o.points[1]);
    const w = new StepWriter();
    const a = w.count(scene, x);
    const v = w.equation(`Multiply by the ${k} copies`, a, '*', k);
    return {
      template: 'copies',
      question: `There are ${k} copies of this picture. How many ${nounOf(x)}s are there in all the copies?`,
      params: `${key(x)},${k}`,
      rationale: `Count the ${nounOf(x)}s in one picture, then multiply by the number of copies.`,
      steps: w.steps,
      keySteps: w.keySteps,
      value: v,
    };
  },
};

export function makeProblem(id: TemplateId, scene: Scene, rng: Rng, o: TemplateOptions): Problem {
  return MAKERS[id](scene, rng, o);
}
