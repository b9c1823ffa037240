// What every family's runtime keeps on the host beside its graphs: one session per phase, built on
// first use, and the trainable tensors with their AdamW moments, updated in place after a step's
// micro-batches (clipped by the global norm of the summed gradients).
import { type ConstantData, EngineSession, type Graph, type SessionOptions, hostAdamW, hostClipScale, hostGlobalNorm, toOnnxBytes } from '../engine';
import type { OptimizerConfig } from './graphs';
import type { ParamValues } from './params';

export interface OptimizerState {
  step: number;
  m: ParamValues;
  v: ParamValues;
}

/** One ORT session per phase key; a failed build is forgotten so a later call can retry. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<EngineSession>>();

  constructor(
    private readonly options: SessionOptions & { threads: number },
    private readonly label: string,
  ) {}

  /**
   * `arena` false turns this session's memory arena off even where the runtime has it on; `bake`
   * gives inputs to store in the graph as initializers.
   */
  get(key: string, build: () => Graph, threads = this.options.threads, arena = true, bake?: ReadonlyMap<string, ConstantData>): Promise<EngineSession> {
    let s = this.sessions.get(key);
    if (!s) {
      const memArena = (this.options.memArena ?? true) && arena;
      s = EngineSession.create(toOnnxBytes(build(), bake && { bake }), { ...this.options, threads, memArena, label: `${this.label} ${key}` });
      this.sessions.set(key, s);
      s.catch(() => this.sessions.delete(key));
    }
    return s;
  }

  /** Releases the session under `key`, if there is one. */
  async drop(key: string): Promise<void> {
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    await (await s?.catch(() => undefined))?.release();
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s.catch(() => undefined))?.release();
  }
}

/** Arrays a runtime made itself (its outputs, its copies): the only ones it may update in place. */
export class OwnedArrays {
  private readonly owned = new WeakSet<Float32Array>();

  own(arr: Float32Array): Float32Array {
    this.owned.add(arr);
    return arr;
  }

  /** Replaces every array of `map` that was handed in from outside (and may be kept by its owner) with an own copy. */
  adopt(map: ParamValues): void {
    for (const [name, arr] of map) if (!this.owned.has(arr)) map.set(name, this.own(arr.slice()));
  }

  zeros(specs: readonly { name: string; shape: readonly number[] }[]): ParamValues {
    return new Map(specs.map((s) => [s.name, this.own(new Float32Array(s.shape.reduce((a, b) => a * b, 1)))]));
  }
}

/**
 * Global-norm clipping and AdamW in place over `params` and `state`'s moments; returns the gradient
 * norm before clipping and the next state. `decay` says which tensors take weight decay.
 */
export function applyHostAdamW(
  owned: OwnedArrays,
  params: ParamValues,
  state: OptimizerState,
  grads: ReadonlyMap<string, Float32Array>,
  specs: readonly { name: string; decay: boolean }[],
  step: { lr: number; adamEps: number },
  optimizer: OptimizerConfig,
): { norm: number; state: OptimizerState } {
  const norm = hostGlobalNorm(grads.values());
  const { m, v } = state;
  const t = state.step + 1;
  const { beta1, beta2 } = optimizer.adamw;
  const factors = {
    lr: step.lr,
    biasCorrection1: 1 / (1 - beta1 ** t),
    biasCorrection2: 1 / (1 - beta2 ** t),
    eps: step.adamEps,
    gradScale: hostClipScale(norm, optimizer.maxGradNorm),
  };
  for (const map of [params, m, v]) owned.adopt(map);
  for (const s of specs) hostAdamW(params.get(s.name)!, grads.get(s.name)!, m.get(s.name)!, v.get(s.name)!, factors, optimizer.adamw, s.decay);
  return { norm, state: { step: t, m, v } };
}

/**
 * sums[name] += weight · g (created at zero): a micro-batch's share of the step's gradient. `g` must
 * be the caller's own array (a run's output): at weight 1 the first share is kept as the sum itself,
 * which is what 0 + 1 · g gives, without a second gradient-sized array.
 */
export function addScaled<A extends Float32Array | Float64Array>(sums: Map<string, A>, name: string, g: A, weight: number): void {
  const first = sums.get(name);
  if (!first && weight === 1) {
    sums.set(name, g);
    return;
  }
  const sum = first ?? sums.set(name, new (g.constructor as new (n: number) => A)(g.length)).get(name)!;
  for (let i = 0; i < sum.length; i++) sum[i]! += weight * g[i]!;
}
