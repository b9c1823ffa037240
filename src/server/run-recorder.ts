// Recording (`stepgrpo serve --out DIR`, Start Reward Server): every chain the server scores is
// appended to a run directory (DESIGN §4) that the Runs view, the Rollout viewer and the Metrics
// view read like a local run, live.
//
// - Steps: the client's `step` when it sends one; otherwise time windows: a step ends after
//   `stepGapMs` without chains (the pause between one RL step's rollouts and the next) or
//   `stepWindowMs` after it began, whichever comes first.
// - Groups (the samples of one prompt): the client's `group` id, else the prompt text, else the
//   reference (answer + key steps), within the step.
// - Writes are batched: a timer appends every `flushMs` one `rollouts` event per step touched
//   (`partial: true`: readers merge it into the step's groups), so a kill -9 loses at most that
//   interval. Per-step metrics go to metrics.jsonl when a step ends.
import { createHash } from 'node:crypto';
import { groupAdvantages } from '../core/grpo';
import { stepMetrics, type ScoredChain } from '../core/step-metrics';
import type { KeyStepGroup, RewardBreakdown } from '../core/reward-types';
import type { RecordingStatus } from '../protocol/reward-server';
import type { RolloutGroup, TrainerEvent } from '../protocol/trainer-messages';
import { RunWriter } from '../rundir/run-writer';

/** What the server knows about one scored chain. */
export interface RecordedChain {
  completion: string;
  /** The completion as the engine sent it, when end markers were cut off before scoring. */
  raw?: string;
  rewards: RewardBreakdown;
  answer?: string;
  keySteps?: KeyStepGroup[];
  prompt?: string;
  step?: number;
  group?: string;
  tokens?: number;
}

export interface RecorderOptions {
  /** Written into config.json (the server's reward config and how it was started). */
  config: unknown;
  version: string;
  flushMs?: number;
  stepGapMs?: number;
  stepWindowMs?: number;
  /** Injected for tests. */
  now?: () => number;
  log?: (line: string) => void;
  /** Called after a step's metrics are written (the extension refreshes its run list). */
  onStepEnd?: (step: number) => void;
}

interface GroupState {
  group: RolloutGroup;
  /** Totals of every sample recorded so far (advantages are relative to them). */
  totals: number[];
  /** Samples not yet written. */
  pending: RolloutGroup['samples'];
  /** Every chain of the group, for the step's metrics (token counts only where the client sent them). */
  scored: ScoredChain[];
}

interface StepState {
  step: number;
  groups: Map<string, GroupState>;
  firstAt: number;
  lastAt: number;
}

const LATE_CHAIN_MS = 1000;

const hash = (text: string): string => createHash('sha1').update(text).digest('hex').slice(0, 12);

export class RunRecorder {
  private readonly open = new Map<number, StepState>();
  /** The step that time windows fill when the client sends none. */
  private windowStep: number | undefined;
  private highestStep = -1;
  private readonly closedSteps = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  /** Chains whose write succeeded; chains in a batch whose write failed are not counted. */
  private recorded = 0;
  /** Chains in the batch being written. */
  private batchChains = 0;
  private error: string | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly flushMs: number;
  private readonly stepGapMs: number;
  private readonly stepWindowMs: number;
  private readonly log: (line: string) => void;
  private readonly onStepEnd: ((step: number) => void) | undefined;
  /** Steps whose metrics were emitted since the last write. */
  private readonly ended: number[] = [];

  readonly dir: string;

  private constructor(
    private readonly writer: RunWriter,
    options: RecorderOptions,
  ) {
    this.dir = writer.root;
    this.now = options.now ?? Date.now;
    this.flushMs = options.flushMs ?? 200;
    this.stepGapMs = options.stepGapMs ?? 5000;
    this.stepWindowMs = options.stepWindowMs ?? 60_000;
    this.log = options.log ?? (() => {});
    this.onStepEnd = options.onStepEnd;
    this.timer = setInterval(() => this.flush(), this.flushMs);
    this.timer.unref();
  }

  /**
   * Creates the run directory (refusing one that already holds a run) and writes config.json and
   * `hello`. The recorder holds the folder's run lock until close(), so a second server (or a
   * trainer) cannot write into it meanwhile; the refusal names the holder's pid.
   */
  static create(dir: string, options: RecorderOptions): RunRecorder {
    const writer = RunWriter.create(dir, { source: 'reward-server', ...(options.config as object) }, { batched: true, lock: true });
    const recorder = new RunRecorder(writer, options);
    recorder.emit({ v: 1, type: 'hello', pid: process.pid, version: options.version, device: { ep: 'reward-server', threads: 0 }, config: options.config });
    recorder.flush();
    return recorder;
  }

  get status(): RecordingStatus {
    return { dir: this.dir, chains: this.recorded, steps: this.closedSteps.size + this.open.size, ...(this.error ? { error: this.error } : {}) };
  }

  /** Chains written so far (a chain is written within `flushMs` of record()). */
  get chains(): number {
    return this.recorded;
  }

  /**
   * Queues a chain for writing. A chain with a number that is not finite is refused (JSON would
   * write it as null and readers would drop the whole step): the server refuses such items first.
   */
  record(chain: RecordedChain): void {
    if (this.closed) return;
    const bad = nonFinite({ rewards: chain.rewards, tokens: chain.tokens, step: chain.step });
    if (bad !== undefined) throw new Error(`recording: ${bad} is not a finite number; the chain is not recorded`);
    const at = this.now();
    const step = this.stepFor(chain.step, at);
    let state = this.open.get(step);
    if (!state) {
      state = { step, groups: new Map(), firstAt: at, lastAt: at };
      this.open.set(step, state);
    }
    state.lastAt = at;
    const key =
      chain.group !== undefined ? `g:${chain.group}` : chain.prompt ? `p:${hash(chain.prompt)}` : `r:${hash(JSON.stringify([chain.answer ?? null, chain.keySteps ?? null]))}`;
    let group = state.groups.get(key);
    if (!group) {
      group = {
        group: {
          promptId: chain.group ?? key,
          prompt: chain.prompt ?? '',
          reference: { answer: chain.answer ?? chain.rewards.answer ?? '', keySteps: chain.keySteps ?? [] },
          samples: [],
        },
        totals: [],
        pending: [],
        scored: [],
      };
      state.groups.set(key, group);
    }
    group.totals.push(chain.rewards.total);
    group.scored.push({ rewards: chain.rewards, ...(chain.tokens !== undefined ? { tokens: chain.tokens } : {}) });
    group.pending.push({ text: chain.completion, tokens: chain.tokens ?? 0, rewards: chain.rewards, advantage: 0, ...(chain.raw !== undefined ? { raw: chain.raw } : {}) });
  }

  /** Writes what is pending and the metrics of steps that ended; called by the timer. */
  flush(): void {
    const at = this.now();
    for (const state of this.open.values()) this.writePending(state);
    for (const state of [...this.open.values()]) {
      // A client step ends once a later one has begun and its own chains have stopped coming (parallel
      // workers finish a step at slightly different times).
      const superseded = state.step < this.highestStep && this.windowStep !== state.step && at - state.lastAt >= LATE_CHAIN_MS;
      const ended = superseded || at - state.lastAt >= this.stepGapMs || at - state.firstAt >= this.stepWindowMs;
      if (ended || this.closed) this.endStep(state);
    }
    this.write();
    // After the write, so that a listener reading the directory finds the metrics.
    for (const step of this.ended.splice(0)) this.onStepEnd?.(step);
  }

  /** Flushes everything, writes the metrics of open steps and `done`. */
  close(status: 'completed' | 'stopped' | 'failed' = 'stopped'): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.flush();
    this.emit({ v: 1, type: 'done', status, summary: { chains: this.recorded, steps: this.closedSteps.size } });
    this.write();
    this.writer.close();
  }

  private stepFor(clientStep: number | undefined, at: number): number {
    if (clientStep !== undefined) {
      this.highestStep = Math.max(this.highestStep, clientStep);
      return clientStep;
    }
    const current = this.windowStep !== undefined ? this.open.get(this.windowStep) : undefined;
    if (current && at - current.lastAt < this.stepGapMs && at - current.firstAt < this.stepWindowMs) return current.step;
    if (current) this.endStep(current);
    this.windowStep = this.highestStep + 1;
    this.highestStep = this.windowStep;
    return this.windowStep;
  }

  private writePending(state: StepState): void {
    const groups: RolloutGroup[] = [];
    for (const g of state.groups.values()) {
      if (g.pending.length === 0) continue;
      // Relative to every sample of the group so far: final once the group is complete.
      const advantages = groupAdvantages(g.totals, g.totals.length);
      const offset = g.totals.length - g.pending.length;
      const samples = g.pending.map((s, i) => ({ ...s, advantage: g.totals.length > 1 ? advantages[offset + i]! : 0 }));
      groups.push({ ...g.group, samples });
      this.batchChains += samples.length;
      g.pending = [];
    }
    if (groups.length) this.emit({ v: 1, type: 'rollouts', step: state.step, groups, partial: true });
  }

  private endStep(state: StepState): void {
    this.writePending(state);
    this.open.delete(state.step);
    this.closedSteps.add(state.step);
    if (this.windowStep === state.step) this.windowStep = undefined;
    this.emit({
      v: 1,
      type: 'metrics',
      step: state.step,
      phase: 'rl',
      values: finiteValues(stepMetrics([...state.groups.values()].map((g) => ({ samples: g.scored })))),
    });
    this.ended.push(state.step);
  }

  private emit(event: TrainerEvent): void {
    this.writer.append(event);
  }

  private write(): void {
    const chains = this.batchChains;
    this.batchChains = 0;
    try {
      this.writer.flush();
      this.recorded += chains;
    } catch (err) {
      const message = `recording: ${(err as Error).message}`;
      if (this.error !== message) this.log(message);
      this.error = message;
    }
  }
}

/** The path of the first number in `value` that is not finite (`rewards.total`), or undefined. */
function nonFinite(value: unknown, path = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const bad = nonFinite(inner, path ? `${path}.${key}` : key);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** A metric that is not finite (a std over nothing) is left out rather than written as null. */
function finiteValues(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}
