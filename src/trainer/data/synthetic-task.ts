// The embedded default task (DESIGN §8): coloured shapes on a grid, questions that need counting and
// arithmetic, reference chains in the R1-VL format. Everything follows from the options and the seed;
// example i is regenerated on demand from its own seed, so no image is held in memory.
import type { DataCursor, Example, ExampleText, TaskSource, TrainStream } from './example';
import { DEFAULT_SPLIT_SALT, promptIdOf, splitOf, type Split } from './content-key';
import { renderScene, gridLayout } from './render';
import { Rng, hashSeed } from '../../model/rng';
import { COLORS, SHAPES, describeScene, generateScene, sceneKey, type Color, type Scene, type Shape } from './scene';
import { formatDirectAnswer, formatSolution } from './solution-format';
import { TEMPLATE_IDS, makeProblem, type Problem, type TemplateId } from './templates';
import { createTrainStream, iterateSplit } from './train-stream';

export interface SyntheticTaskOptions {
  seed: number;
  /** Side of the square image in pixels. */
  imageSize: number;
  /** Cells per side of the shape grid. */
  grid: number;
  minShapes: number;
  maxShapes: number;
  shapes: Shape[];
  colors: Color[];
  templates: TemplateId[];
  /** Fraction of questions asked as multiple choice (A–D). */
  multipleChoice: number;
  /** Inclusive range for points per shape and for the number of copies. */
  points: [number, number];
  /** Largest shift of a shape from its cell centre, in pixels (at most cell/8). */
  jitter: number;
  trainSize: number;
  evalSize: number;
  /** Share of scenes held out: a scene is in the eval split when its salted hash falls below this. */
  evalFraction: number;
  splitSalt: string;
  /**
   * Share of training demonstrations the teacher writes as a direct answer: the image description,
   * then the final answer, with no rationale and no steps. Warm-up data written by models mixes
   * such answers with full chains; held-out references are always full chains.
   */
  directAnswers: number;
  /**
   * The text form of the task: the scene is described in the prompt and no image is given, for
   * text-only models (an HF decoder). Answers, steps and key steps are the same.
   */
  sceneInPrompt: boolean;
}

/**
 * The default: a 3×3 grid of 16 px cells in two colours, and a teacher that answers half of the
 * training questions directly. The SFT policy imitates the bare answers, and its sampled full chains
 * are right more often: the gap StepGRPO's rewards close (measured in docs/task.md). The `clean` run
 * preset keeps full chains only; the `hard` preset keeps the 4×4, four-colour setting.
 */
export const SYNTHETIC_DEFAULTS: Readonly<SyntheticTaskOptions> = Object.freeze({
  seed: 0,
  imageSize: 48,
  grid: 3,
  minShapes: 3,
  maxShapes: 6,
  shapes: [...SHAPES],
  colors: ['red', 'blue'] as Color[],
  templates: [...TEMPLATE_IDS],
  multipleChoice: 0.2,
  points: [2, 5] as [number, number],
  jitter: 1,
  trainSize: 4000,
  evalSize: 200,
  evalFraction: 0.1,
  splitSalt: DEFAULT_SPLIT_SALT,
  directAnswers: 0.5,
  sceneInPrompt: false,
});

/** Bump when generation changes, so cursors and promptIds from older data are not silently reused. */
const GENERATOR_VERSION = 1;
const LETTERS = ['A', 'B', 'C', 'D'] as const;

interface Candidate {
  scene: Scene;
  problem: Problem;
  /** The four options when asked as multiple choice, else null. */
  choices: number[] | null;
  split: Split;
  promptId: string;
  /** The teacher answers this one directly (training demonstrations only). */
  direct: boolean;
}

export function resolveSyntheticOptions(partial: Partial<SyntheticTaskOptions> = {}): SyntheticTaskOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in SYNTHETIC_DEFAULTS)) throw new RangeError(`synthetic task: unknown option "${key}" (expected ${Object.keys(SYNTHETIC_DEFAULTS).join(', ')})`);
  }
  const merged = { ...SYNTHETIC_DEFAULTS, ...partial };
  // Own copies of the list options, so that nobody can edit the shared defaults through a task.
  const o: SyntheticTaskOptions = {
    ...merged,
    shapes: Array.isArray(merged.shapes) ? [...merged.shapes] : merged.shapes,
    colors: Array.isArray(merged.colors) ? [...merged.colors] : merged.colors,
    templates: Array.isArray(merged.templates) ? [...merged.templates] : merged.templates,
    points: Array.isArray(merged.points) ? ([...merged.points] as [number, number]) : merged.points,
  };
  const fail = (field: keyof SyntheticTaskOptions, why: string): never => {
    throw new RangeError(`synthetic task option "${field}": ${why} (got ${JSON.stringify(o[field])})`);
  };
  const int = (field: keyof SyntheticTaskOptions, lo: number, hi = Number.MAX_SAFE_INTEGER): void => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(field, `must be an integer in [${lo}, ${hi}]`);
  };
  int('seed', 0, 2 ** 32 - 1);
  int('grid', 2, 8);
  int('imageSize', 8 * o.grid, 1024);
  int('minShapes', 1, o.grid * o.grid);
  int('maxShapes', o.minShapes, o.grid * o.grid);
  int('jitter', 0, Math.floor(gridLayout(o.imageSize, o.grid).cell / 8));
  int('trainSize', 1);
  int('evalSize', 0);
  const subset = <T>(field: 'shapes' | 'colors' | 'templates', all: readonly T[]): void => {
    const v = o[field] as unknown;
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => !all.includes(x as T)) || new Set(v).size !== v.length) {
      fail(field, `must be a non-empty list of distinct values from ${all.join(', ')}`);
    }
  };
  subset('shapes', SHAPES);
  subset('colors', COLORS);
  subset('templates', TEMPLATE_IDS);
  if (o.shapes.length < 2 && o.colors.length < 2) fail('shapes', 'two shapes or two colours are needed to ask about two groups');
  if (!(o.multipleChoice >= 0 && o.multipleChoice <= 1)) fail('multipleChoice', 'must be in [0, 1]');
  if (!(o.directAnswers >= 0 && o.directAnswers <= 1)) fail('directAnswers', 'must be in [0, 1]');
  if (!(o.evalFraction > 0 && o.evalFraction < 1)) fail('evalFraction', 'must be in (0, 1)');
  const [lo, hi] = o.points ?? [];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo! < 1 || hi! < lo! || hi! > 20) fail('points', 'must be [lo, hi] with 1 ≤ lo ≤ hi ≤ 20');
  if (typeof o.splitSalt !== 'string') fail('splitSalt', 'must be a string');
  if (typeof o.sceneInPrompt !== 'boolean') fail('sceneInPrompt', 'must be true or false');
  return o;
}

/** Four distinct non-negative options around the answer, in a random order. */
function makeChoices(rng: Rng, value: number): number[] {
  const near = [-3, -2, -1, 1, 2, 3].map((d) => value + d).filter((v) => v >= 0);
  return rng.shuffle([value, ...rng.shuffle(near).slice(0, 3)]);
}

export class SyntheticTask implements TaskSource {
  readonly options: SyntheticTaskOptions;
  readonly fingerprint: string;
  private readonly trainIdx: Uint32Array;
  private readonly evalIdx: Uint32Array;

  constructor(options: Partial<SyntheticTaskOptions> = {}) {
    this.options = resolveSyntheticOptions(options);
    // The image form keeps the fingerprint it had before the text form existed (checkpoints' data cursors name it).
    const { sceneInPrompt, ...imageForm } = this.options;
    this.fingerprint = `synthetic/v${GENERATOR_VERSION}/${JSON.stringify(sceneInPrompt ? this.options : imageForm)}`;
    [this.trainIdx, this.evalIdx] = this.buildSplits();
  }

  get imageSize(): number {
    return this.options.imageSize;
  }
  get trainSize(): number {
    return this.trainIdx.length;
  }
  get evalSize(): number {
    return this.evalIdx.length;
  }

  trainAt(i: number): Example {
    return this.materialise(this.candidate(indexInto(this.trainIdx, i, 'train')), 'demonstration');
  }
  trainTextAt(i: number): ExampleText {
    const { prompt, solution } = this.materialise(this.candidate(indexInto(this.trainIdx, i, 'train')), 'demonstration', false);
    return { prompt, solution };
  }
  evalAt(i: number): Example {
    return this.materialise(this.candidate(indexInto(this.evalIdx, i, 'eval')), 'reference');
  }
  /** The scene behind an example, for tests and for tools that want to show the ground truth. */
  sceneAt(split: Split, i: number): Scene {
    return this.candidate(indexInto(split === 'train' ? this.trainIdx : this.evalIdx, i, split)).scene;
  }
  train(from?: DataCursor): TrainStream {
    return createTrainStream(this, from);
  }
  eval(): IterableIterator<Example> {
    return iterateSplit(this.evalSize, (i) => this.evalAt(i));
  }

  /** Candidate j of the seed's stream; which split it joins depends on its scene only. */
  private candidate(j: number): Candidate {
    const o = this.options;
    const rng = Rng.fromState(hashSeed('synthetic', o.seed, j));
    const scene = generateScene(rng, o);
    const problem = makeProblem(rng.pick(o.templates), scene, rng, o);
    const choices = rng.next() < o.multipleChoice ? makeChoices(rng, problem.value) : null;
    const key = sceneKey(scene);
    const asked = choices ? `mc:${choices.join(',')}` : 'open';
    return {
      scene,
      problem,
      choices,
      split: splitOf(key, o.evalFraction, o.splitSalt),
      promptId: promptIdOf('syn', `${key}|${problem.template}|${problem.params}|${asked}`),
      // Its own stream, so the teacher's style never changes which scenes and questions are drawn.
      direct: o.directAnswers > 0 && Rng.fromState(hashSeed('teacher', o.seed, j)).next() < o.directAnswers,
    };
  }

  private buildSplits(): [Uint32Array, Uint32Array] {
    const { trainSize, evalSize } = this.options;
    const found = { train: [] as number[], eval: [] as number[] };
    const seen = new Set<string>();
    const want = { train: trainSize, eval: evalSize };
    const limit = 50 * (trainSize + evalSize) + 10_000;
    for (let j = 0; found.train.length < trainSize || found.eval.length < evalSize; j++) {
      if (j >= limit) {
        throw new Error(
          `synthetic task: only ${found.train.length}/${trainSize} distinct training and ${found.eval.length}/${evalSize} held-out ` +
            `examples after ${limit} draws; enlarge "grid"/"maxShapes" or lower "trainSize"/"evalSize"`,
        );
      }
      const c = this.candidate(j);
      if (found[c.split].length >= want[c.split] || seen.has(c.promptId)) continue;
      seen.add(c.promptId);
      found[c.split].push(j);
    }
    return [Uint32Array.from(found.train), Uint32Array.from(found.eval)];
  }

  /** A `demonstration` is what the teacher wrote (maybe a direct answer); a `reference` is always the full chain. */
  private materialise(c: Candidate, chain: 'demonstration' | 'reference', withImage = true): Example {
    const { problem, choices } = c;
    let prompt = problem.question;
    let answer = String(problem.value);
    const steps = [...problem.steps];
    const keySteps = [...problem.keySteps];
    if (choices) {
      const letter = LETTERS[choices.indexOf(problem.value)]!;
      prompt += `\nChoices: ${choices.map((v, k) => `${LETTERS[k]}. ${v}`).join(' ')}`;
      steps.push(`The answer ${problem.value} is choice ${letter}.`);
      keySteps.push(`${problem.value} is choice ${letter}`);
      answer = letter;
    }
    const description = `The image shows ${describeScene(c.scene)}.`;
    const text = this.options.sceneInPrompt;
    if (text) prompt = `Scene: ${describeScene(c.scene)}.\n${prompt}`;
    const solution =
      chain === 'demonstration' && c.direct ? formatDirectAnswer({ description, answer }) : formatSolution({ description, rationale: problem.rationale, steps, answer });
    return {
      promptId: c.promptId,
      prompt,
      image: withImage && !text ? renderScene(c.scene, this.options.imageSize) : null,
      imageSize: this.options.imageSize,
      solution,
      answer,
      keySteps,
      meta: { source: 'synthetic', template: problem.template, multipleChoice: choices !== null },
    };
  }
}

function indexInto(pool: Uint32Array, i: number, split: Split): number {
  if (!Number.isInteger(i) || i < 0 || i >= pool.length) throw new RangeError(`${split} index ${i} is outside 0..${pool.length - 1}`);
  return pool[i]!;
}
