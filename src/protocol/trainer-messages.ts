// Trainer ↔ host protocol (DESIGN §3): newline-delimited JSON, one discriminated union per direction,
// each checked field by field where it crosses the process boundary (src/protocol/schema.ts).
import type { RolloutGroup } from './rollout-group';
import { messageGuard, type GuardResult } from './message-guard';
import { array, boolean, isObject, issue, number, object, oneOf, optional, record, refine, step, string, unknown, type Schema } from './schema';
import { rolloutGroupSchema } from './rollout-group';

export type { RolloutGroup, RolloutSample } from './rollout-group';
export type { GuardResult } from './message-guard';

export const PROTOCOL_VERSION = 1;

export const PHASES = ['sft', 'rl', 'eval'] as const;
export type Phase = (typeof PHASES)[number];

/** Trainer → host. */
export type TrainerEvent =
  | { v: 1; type: 'hello'; pid: number; version: string; device: { ep: string; threads: number }; config: unknown }
  | { v: 1; type: 'phase'; phase: Phase; step: number; totalSteps: number }
  // `partial`: the event adds its samples to the step's groups (a reward server recording a remote
  // run writes one per flush); without it the event holds the whole step.
  | { v: 1; type: 'rollouts'; step: number; groups: RolloutGroup[]; partial?: boolean }
  | { v: 1; type: 'metrics'; step: number; phase: Phase; values: Record<string, number> }
  | { v: 1; type: 'checkpoint'; step: number; path: string }
  /** The trainer honoured `pause` between steps (and is waiting), or went on after `resume`. */
  | { v: 1; type: 'paused'; step: number }
  | { v: 1; type: 'resumed'; step: number }
  | { v: 1; type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { v: 1; type: 'error'; message: string; detail?: string; fatal: boolean }
  | { v: 1; type: 'done'; status: 'completed' | 'stopped' | 'failed'; summary: Record<string, unknown> };

/** Host → trainer. */
export type HostCommand = { v: 1; type: 'stop' } | { v: 1; type: 'pause' } | { v: 1; type: 'resume' } | { v: 1; type: 'checkpoint' } | { v: 1; type: 'ping' };

export type TrainerEventType = TrainerEvent['type'];
export type HostCommandType = HostCommand['type'];

const envelope = <const T extends string>(type: T) => ({ v: oneOf([PROTOCOL_VERSION] as const), type: oneOf([type] as const) });

const phaseEvent = refine(object({ ...envelope('phase'), phase: oneOf(PHASES), step: step(), totalSteps: step() }), (e, p) =>
  e.step <= e.totalSteps ? null : issue(p ? `${p}.step` : 'step', `expected a step ≤ totalSteps (${e.totalSteps}), got ${e.step}`),
);

const parseEvent = messageGuard<TrainerEvent>('trainer event', {
  hello: object({
    ...envelope('hello'),
    pid: number({ integer: true, min: 0 }),
    version: string(),
    device: object({ ep: string(), threads: number({ integer: true, min: 0 }) /* 0: onnxruntime's default */ }),
    config: unknown(),
  }),
  phase: phaseEvent,
  rollouts: object({ ...envelope('rollouts'), step: step(), groups: array(rolloutGroupSchema), partial: optional(boolean()) }),
  metrics: object({ ...envelope('metrics'), step: step(), phase: oneOf(PHASES), values: record(number()) }),
  checkpoint: object({ ...envelope('checkpoint'), step: step(), path: string() }),
  paused: object({ ...envelope('paused'), step: step() }),
  resumed: object({ ...envelope('resumed'), step: step() }),
  log: object({ ...envelope('log'), level: oneOf(['debug', 'info', 'warn', 'error'] as const), message: string() }),
  error: object({ ...envelope('error'), message: string(), detail: optional(string()), fatal: boolean() }),
  done: object({ ...envelope('done'), status: oneOf(['completed', 'stopped', 'failed'] as const), summary: record(unknown()) }),
});

const command = <const T extends HostCommandType>(type: T): Schema<{ v: 1; type: T }> => object(envelope(type));
const parseCommand = messageGuard<HostCommand>('host command', {
  stop: command('stop'),
  pause: command('pause'),
  resume: command('resume'),
  checkpoint: command('checkpoint'),
  ping: command('ping'),
});

/** JSON, an object, and this protocol's version: what every line must be before its type is looked at. */
function parseLine<T>(line: string, guard: (value: unknown) => GuardResult<T>): GuardResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, issue: issue('', `not JSON: ${(err as Error).message}`) };
  }
  if (isObject(value) && value.v !== PROTOCOL_VERSION) {
    return { ok: false, issue: issue('v', `unsupported protocol version ${JSON.stringify(value.v)} (expected ${PROTOCOL_VERSION})`) };
  }
  return guard(value);
}

export interface EventContext {
  /** The run's total steps (SFT + RL, from its config): an event past it is rejected, not folded in. */
  maxStep?: number;
}

/**
 * Validates one line from a trainer. Unknown types come back with `unknownType` so callers can warn
 * and go on. With `maxStep`, a step beyond the run's end (`step: 999` in a 280-step run) is an
 * issue on `step`: it would otherwise create an empty step that "Latest" jumps to.
 */
export function parseTrainerEvent(line: string, context: EventContext = {}): GuardResult<TrainerEvent> {
  const parsed = parseLine(line, parseEvent);
  const max = context.maxStep;
  if (!parsed.ok || max === undefined || !('step' in parsed.value)) return parsed;
  const at = parsed.value.step;
  return at <= max ? parsed : { ok: false, issue: issue('step', `expected a step ≤ ${max} (the run's total steps), got ${at}`) };
}

export const parseHostCommand = (line: string): GuardResult<HostCommand> => parseLine(line, parseCommand);

/** Serialises one message as an NDJSON line (with the trailing newline). */
export function encodeLine(message: TrainerEvent | HostCommand): string {
  return `${JSON.stringify(message)}\n`;
}
