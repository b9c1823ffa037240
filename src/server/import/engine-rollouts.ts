// Rollout folders of the training engines, the pure part (no vscode): which step files a folder
// holds, and their rows as chain records for RolloutImporter, which rescores them with the chosen
// preset. The engine's own numbers travel along as `engine` and are shown beside ours.
// - verl: `trainer.rollout_data_dir/{step}.jsonl`, one file per step, decoded with
//   skip_special_tokens=True. The legacy trainer (verl/trainer/ppo/ray_trainer.py `_log_rollout_data`,
//   the default up to v0.8) writes `input, output, gts, score, step`, every `reward_extra_info` key
//   and `request_id`; rows of one prompt are grouped by `input`. The v1 trainer (v0.9's default
//   `trainer.use_v1`, verl/trainer/ppo/v1/trainer_base.py) writes only `input, output, gts, score,
//   step, uid`, uid `{prompt uid}_{session}_{index}` (agent_loop_tq.py): the prompt uid groups.
// - TRL (trl/trainer/grpo_trainer.py `log`, v1.x): `<output_dir>/completions/completions_{step:05d}.parquet`,
//   written every `logging_steps` and holding only the last generation batch, columns `step, prompt,
//   completion`, one per reward function, the `log_extra` columns, `advantage`. Its `step` is
//   global_step after the optimizer update; the rewards were computed at the step before.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isObject } from '../../protocol/schema';

export type EngineKind = 'verl' | 'trl';

export interface StepFile {
  step: number;
  file: string;
}

const VERL_FILE = /^(\d+)\.jsonl$/;
const TRL_FILE = /^completions_(\d+)\.parquet$/;

/** The folder that holds TRL's parquet files: `<output_dir>/completions/` or the folder itself. */
async function trlFolder(dir: string): Promise<string> {
  const sub = path.join(dir, 'completions');
  try {
    if ((await fs.stat(sub)).isDirectory()) return sub;
  } catch {
    // the folder itself
  }
  return dir;
}

/** Step files in `dir`, ascending; `kind` is what the names say (verl wins on a tie: none seen so far). */
export async function listStepFiles(dir: string, kind?: EngineKind): Promise<{ kind: EngineKind | undefined; files: StepFile[] }> {
  const scan = async (folder: string, pattern: RegExp): Promise<StepFile[]> =>
    (await fs.readdir(folder))
      .map((name) => ({ name, m: pattern.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .map(({ name, m }) => ({ step: Number(m[1]), file: path.join(folder, name) }))
      .sort((a, b) => a.step - b.step);
  const verl = kind === 'trl' ? [] : await scan(dir, VERL_FILE);
  const trl = kind === 'verl' ? [] : await scan(await trlFolder(dir), TRL_FILE);
  if (kind) return { kind, files: kind === 'verl' ? verl : trl };
  if (verl.length) return { kind: 'verl', files: verl };
  if (trl.length) return { kind: 'trl', files: trl };
  return { kind: undefined, files: [] };
}

const VERL_KNOWN = new Set(['input', 'output', 'gts', 'step', 'request_id', 'uid']);

/** The prompt's uid in a v1 dump's `{prompt uid}_{session}_{index}`; any other value as it is. */
export function promptUid(uid: unknown): unknown {
  if (typeof uid !== 'string') return uid;
  const match = /^(.+)_\d+_\d+$/.exec(uid);
  return match ? match[1] : uid;
}

/** One verl dump row as a chain record: its prompt uid (v1 trainer), else its prompt, groups it; `gts` is the reference, the numbers are the engine's. */
export function verlRecord(row: Record<string, unknown>, step: number): Record<string, unknown> {
  const engine: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) if (!VERL_KNOWN.has(key) && typeof value === 'number') engine[key] = value;
  const record: Record<string, unknown> = { output: row.output, input: row.input, step: typeof row.step === 'number' ? row.step : step, engine };
  if (row.gts !== undefined) record.gts = row.gts;
  if (row.uid !== undefined) record.uid = promptUid(row.uid);
  return record;
}

/** TRL's prompt/completion cells: a string, or conversational messages (the last message's text). */
export function messageText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const last: unknown = value[value.length - 1];
  if (!isObject(last)) return undefined;
  const content = last.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return undefined;
}

const TRL_TEXT = new Set(['step', 'prompt', 'completion']);
/** Reference columns a reward function may log with log_extra; trl_reward.py logs them prefixed. */
const TRL_REFERENCE = ['answer', 'solution', 'key_steps'];
const TRL_PREFIX = 'stepgrpo/';
const isReferenceColumn = (key: string): boolean => TRL_REFERENCE.includes(key.startsWith(TRL_PREFIX) ? key.slice(TRL_PREFIX.length) : key);

const num = (v: unknown): number | undefined => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The step a TRL completions row's rewards were computed at: its `step` (global_step after the
 * optimizer update) less one, what the reward function saw as `trainer_state.global_step` and the
 * step a recording reward server files its chains under.
 */
export const trlRewardStep = (loggedStep: number): number => Math.max(0, loggedStep - 1);

/** One row of a TRL completions parquet as a chain record, at its reward step. */
export function trlRecord(row: Record<string, unknown>, fileStep: number): Record<string, unknown> {
  const engine: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) {
    const n = num(value);
    if (!TRL_TEXT.has(key) && !isReferenceColumn(key) && n !== undefined) engine[key] = n;
  }
  const record: Record<string, unknown> = {
    completion: messageText(row.completion) ?? row.completion,
    prompt: messageText(row.prompt) ?? row.prompt,
    step: trlRewardStep(num(row.step) ?? fileStep),
    engine,
  };
  for (const key of TRL_REFERENCE) {
    const value = row[`${TRL_PREFIX}${key}`] ?? row[key];
    if (value === undefined || value === null) continue;
    // key_steps logged as JSON text by the reward function
    record[key] = key === 'key_steps' && typeof value === 'string' && /^\s*[[{]/.test(value) ? safeJson(value) : value;
  }
  return record;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads a TRL parquet file with hyparquet (loaded on first use: only imports need it). */
export async function readTrlStep(file: StepFile): Promise<Record<string, unknown>[]> {
  const { parquetReadObjects } = await import('hyparquet');
  const buffer = await fs.readFile(file.file);
  const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const rows = (await parquetReadObjects({ file: arrayBuffer })) as Record<string, unknown>[];
  return rows.map((row) => trlRecord(row, file.step));
}

/**
 * What part of the engine's rollouts a folder holds, said to the user when it is not all of them:
 * TRL keeps only the last generation batch of every `logging_steps`-th step; a verl folder whose
 * step files are evenly spaced (a dump kept every Nth step) holds only those steps.
 */
export function coverageNote(kind: EngineKind, steps: readonly number[]): string | undefined {
  const gaps = new Set(steps.slice(1).map((s, i) => s - steps[i]!));
  const every = gaps.size === 1 ? [...gaps][0]! : undefined;
  const nth = every !== undefined && every > 1 ? `one step in ${every}` : gaps.size > 1 ? 'some steps' : undefined;
  if (kind === 'trl') return `TRL keeps only the last generation batch of each logged step${nth ? ` (${nth}: logging_steps)` : ''}; the other rollouts were not written`;
  return nth ? `the folder holds ${nth} only (steps ${steps.slice(0, 3).join(', ')}${steps.length > 3 ? ', …' : ''})` : undefined;
}
