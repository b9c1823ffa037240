// Trainer ↔ host protocol (DESIGN §3): newline-delimited JSON, one discriminated union per direction,
// with runtime guards for every line that crosses the process boundary.
import type { RewardBreakdown } from '../core/reward-types';

export const PROTOCOL_VERSION = 1;

export type Phase = 'sft' | 'rl' | 'eval';

export interface RolloutSample {
  text: string;
  tokens: number;
  rewards: RewardBreakdown;
  advantage: number;
}

export interface RolloutGroup {
  promptId: string;
  prompt: string;
  image?: { path: string } | { dataUri: string };
  reference: { answer: string; keySteps: (string | string[])[] };
  samples: RolloutSample[];
}

/** Trainer → host. */
export type TrainerEvent =
  | { v: 1; type: 'hello'; pid: number; version: string; device: { ep: string; threads: number }; config: unknown }
  | { v: 1; type: 'phase'; phase: Phase; step: number; totalSteps: number }
  | { v: 1; type: 'rollouts'; step: number; groups: RolloutGroup[] }
  | { v: 1; type: 'metrics'; step: number; phase: Phase; values: Record<string, number> }
  | { v: 1; type: 'checkpoint'; step: number; path: string }
  | { v: 1; type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { v: 1; type: 'error'; message: string; detail?: string; fatal: boolean }
  | { v: 1; type: 'done'; status: 'completed' | 'stopped' | 'failed'; summary: Record<string, unknown> };

/** Host → trainer. */
export type HostCommand =
  | { v: 1; type: 'stop' }
  | { v: 1; type: 'pause' }
  | { v: 1; type: 'resume' }
  | { v: 1; type: 'checkpoint' }
  | { v: 1; type: 'ping' };

export type TrainerEventType = TrainerEvent['type'];
export type HostCommandType = HostCommand['type'];

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string; unknownType?: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isString = (x: unknown): x is string => typeof x === 'string';

/** Field checks per event type: each returns the name of the first bad field, or null. */
const eventChecks: Record<TrainerEventType, (m: Record<string, unknown>) => string | null> = {
  hello: (m) => (!isNumber(m.pid) ? 'pid' : !isString(m.version) ? 'version' : !isObject(m.device) ? 'device' : null),
  phase: (m) =>
    !['sft', 'rl', 'eval'].includes(m.phase as string) ? 'phase' : !isNumber(m.step) ? 'step' : !isNumber(m.totalSteps) ? 'totalSteps' : null,
  rollouts: (m) => (!isNumber(m.step) ? 'step' : !Array.isArray(m.groups) ? 'groups' : null),
  metrics: (m) =>
    !isNumber(m.step)
      ? 'step'
      : !isObject(m.values) || !Object.values(m.values).every((v) => typeof v === 'number')
        ? 'values'
        : null,
  checkpoint: (m) => (!isNumber(m.step) ? 'step' : !isString(m.path) ? 'path' : null),
  log: (m) => (!isString(m.message) ? 'message' : !['debug', 'info', 'warn', 'error'].includes(m.level as string) ? 'level' : null),
  error: (m) => (!isString(m.message) ? 'message' : typeof m.fatal !== 'boolean' ? 'fatal' : null),
  done: (m) => (!['completed', 'stopped', 'failed'].includes(m.status as string) ? 'status' : null),
};

const commandTypes: ReadonlySet<string> = new Set<HostCommandType>(['stop', 'pause', 'resume', 'checkpoint', 'ping']);

function parseEnvelope(line: string): { ok: true; m: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, error: 'not a JSON object' };
  if (value.v !== PROTOCOL_VERSION) return { ok: false, error: `unsupported protocol version ${JSON.stringify(value.v)} (expected ${PROTOCOL_VERSION})` };
  if (!isString(value.type)) return { ok: false, error: 'missing "type"' };
  return { ok: true, m: value };
}

/** Validates one line from a trainer. Unknown types come back with `unknownType` so callers can warn and go on. */
export function parseTrainerEvent(line: string): ParseResult<TrainerEvent> {
  const env = parseEnvelope(line);
  if (!env.ok) return env;
  const type = env.m.type as string;
  const check = eventChecks[type as TrainerEventType];
  if (!check) return { ok: false, error: `unknown event type "${type}"`, unknownType: type };
  const bad = check(env.m);
  if (bad) return { ok: false, error: `event "${type}": field "${bad}" is missing or has the wrong type` };
  return { ok: true, message: env.m as unknown as TrainerEvent };
}

export function parseHostCommand(line: string): ParseResult<HostCommand> {
  const env = parseEnvelope(line);
  if (!env.ok) return env;
  const type = env.m.type as string;
  if (!commandTypes.has(type)) return { ok: false, error: `unknown command type "${type}"`, unknownType: type };
  return { ok: true, message: env.m as unknown as HostCommand };
}

/** Serialises one message as an NDJSON line (with the trailing newline). */
export function encodeLine(message: TrainerEvent | HostCommand): string {
  return `${JSON.stringify(message)}\n`;
}
