// HTTP reward server protocol (DESIGN §1, §3): the JSON bodies of every endpoint, with runtime
// guards that name the offending field. Shape checks only; key-step contents and reward configs
// are validated by the reward engine (core/) when the server resolves an item.
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';

/** One chain to score: `POST /score`, or one entry of `POST /score_batch`. */
export interface ScoreItem {
  completion: string;
  /** The gold answer. */
  answer?: string;
  /** A reference solution in the section format; its final answer is used when `answer` is absent. */
  solution?: string;
  /** R1-VL-10K `{Steps: [...]}`, a bare list, or "Key Elements: ..." text (core `parseKeySteps`). */
  key_steps?: unknown;
  /** A reward preset name (`stepgrpo`, `grpo-outcome`, `r1vl-official`); default: the server's. */
  preset?: string;
  /** Config fields over the preset (`mode`, `alpha`, `w_acc`, `w_val`, `scope`, `numericTolerance`). */
  config?: Partial<RewardConfig>;
}

export interface ScoreResponse {
  rewards: RewardBreakdown;
}

/** `POST /score_batch`: `{items, preset?, config?}` (defaults for every item) or a bare list of items. */
export interface ScoreBatchRequest {
  items: ScoreItem[];
  preset?: string;
  config?: Partial<RewardConfig>;
}

export interface ItemError {
  /** Position of the item in the request. */
  index: number;
  /** Path of the bad field, e.g. `items[3].key_steps.Steps[1]`. */
  field: string;
  message: string;
}

/** Per item, in request order: its rewards, or the error that kept it from being scored. */
export type BatchResult = { index: number; rewards: RewardBreakdown } | { index: number; error: ItemError };

export interface ScoreBatchResponse {
  results: BatchResult[];
  scored: number;
  failed: number;
}

/**
 * OpenRLHF's remote reward model (`--remote_rm_url http://host:port/get_reward`): `query` holds
 * prompt + response texts; `prompts` (same length) the prompts, stripped from the front of each
 * query when present; `labels` (same length) the `--label_key` column: a gold answer, or a JSON
 * object text `{"answer", "solution", "key_steps"}`.
 */
export interface GetRewardRequest {
  query: string[];
  prompts?: string[];
  labels?: string[];
}

export interface GetRewardResponse {
  /** `total` per query (OpenRLHF's default `score_key`). */
  rewards: number[];
  /** 1 when the answer is correct, else 0 (OpenRLHF's dynamic filtering expects 0..1). */
  scores: number[];
  /** Per-query components, logged by OpenRLHF next to the reward. */
  extra_logs: { r_acc: number[]; r_val: number[]; key_step_ratio: number[] };
}

export interface ErrorResponse {
  error: {
    /** HTTP status repeated in the body, so a log line of the body alone is enough. */
    status: number;
    message: string;
    /** The request field at fault, when one is. */
    field?: string;
  };
}

export interface HealthResponse {
  status: 'ok' | 'closing';
  version: string;
  uptime_s: number;
  config: RewardConfig;
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface MetricsResponse {
  uptime_s: number;
  requests: number;
  /** Requests per route (`POST /score` …) and per status code. */
  by_route: Record<string, number>;
  by_status: Record<string, number>;
  chains_scored: number;
  chains_failed: number;
  /** Batch requests being scored at the moment of this reply (they yield between slices). */
  scoring_now: number;
  open_connections: number;
  /** Over the most recent requests (a bounded window), all routes. */
  latency: LatencySummary;
}

/** A request body that does not have the protocol's shape; `field` is its path. */
export class FieldError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

export const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const ITEM_FIELDS = new Set(['completion', 'answer', 'solution', 'key_steps', 'preset', 'config']);

function optionalString(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FieldError(`${where}${key}: expected a string, got ${kindOf(v)}`, `${where}${key}`);
  return v;
}

function optionalConfig(obj: Record<string, unknown>, where: string): Partial<RewardConfig> | undefined {
  const v = obj.config;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new FieldError(`${where}config: expected an object, got ${kindOf(v)}`, `${where}config`);
  return v as Partial<RewardConfig>;
}

/** Checks one score item; `where` prefixes field paths (`items[3].`). Unknown fields are errors. */
export function parseScoreItem(value: unknown, where = ''): ScoreItem {
  const self = where ? where.slice(0, -1) : 'body';
  if (!isObject(value)) throw new FieldError(`${self}: expected a JSON object, got ${kindOf(value)}`, self);
  for (const key of Object.keys(value)) {
    if (!ITEM_FIELDS.has(key)) throw new FieldError(`${where}${key}: unknown field (expected ${[...ITEM_FIELDS].join(', ')})`, `${where}${key}`);
  }
  if (!('completion' in value)) throw new FieldError(`${where}completion: missing (the chain text to score)`, `${where}completion`);
  if (typeof value.completion !== 'string') throw new FieldError(`${where}completion: expected a string, got ${kindOf(value.completion)}`, `${where}completion`);
  const item: ScoreItem = { completion: value.completion };
  const answer = optionalString(value, 'answer', where);
  const solution = optionalString(value, 'solution', where);
  const preset = optionalString(value, 'preset', where);
  const config = optionalConfig(value, where);
  if (answer !== undefined) item.answer = answer;
  if (solution !== undefined) item.solution = solution;
  if (value.key_steps !== undefined && value.key_steps !== null) item.key_steps = value.key_steps;
  if (preset !== undefined) item.preset = preset;
  if (config !== undefined) item.config = config;
  return item;
}

/**
 * Checks the envelope of a batch. Items are left unchecked (`unknown[]`) so that one bad item is
 * reported in place instead of failing the batch.
 */
export function parseScoreBatchEnvelope(value: unknown): { items: unknown[]; preset?: string; config?: Partial<RewardConfig> } {
  if (Array.isArray(value)) return { items: value };
  if (!isObject(value)) throw new FieldError(`body: expected {items: [...]} or a list of items, got ${kindOf(value)}`, 'body');
  for (const key of Object.keys(value)) {
    if (key !== 'items' && key !== 'preset' && key !== 'config') throw new FieldError(`${key}: unknown field (expected items, preset, config)`, key);
  }
  if (!Array.isArray(value.items)) throw new FieldError(`items: expected a list, got ${kindOf(value.items)}`, 'items');
  const out: { items: unknown[]; preset?: string; config?: Partial<RewardConfig> } = { items: value.items };
  const preset = optionalString(value, 'preset', '');
  const config = optionalConfig(value, '');
  if (preset !== undefined) out.preset = preset;
  if (config !== undefined) out.config = config;
  return out;
}

function stringList(obj: Record<string, unknown>, key: string, length: number | null): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new FieldError(`${key}: expected a list of strings, got ${kindOf(v)}`, key);
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw new FieldError(`${key}[${i}]: expected a string, got ${kindOf(s)}`, `${key}[${i}]`);
  });
  if (length !== null && v.length !== length) throw new FieldError(`${key}: expected ${length} entries (one per query), got ${v.length}`, key);
  return v as string[];
}

/** Checks an OpenRLHF remote-RM request. Extra fields are ignored (OpenRLHF versions differ). */
export function parseGetRewardRequest(value: unknown): GetRewardRequest {
  if (!isObject(value)) throw new FieldError(`body: expected {query: [...], prompts?, labels?}, got ${kindOf(value)}`, 'body');
  if (!('query' in value)) throw new FieldError('query: missing (the list of prompt + response texts)', 'query');
  const query = stringList(value, 'query', null)!;
  const out: GetRewardRequest = { query };
  const prompts = stringList(value, 'prompts', query.length);
  const labels = stringList(value, 'labels', query.length);
  if (prompts) out.prompts = prompts;
  if (labels) out.labels = labels;
  return out;
}

/** Client-side guard for a `/score` reply. */
export function isScoreResponse(value: unknown): value is ScoreResponse {
  return isObject(value) && isObject(value.rewards) && typeof value.rewards.total === 'number';
}

/** Client-side guard for an error reply. */
export function isErrorResponse(value: unknown): value is ErrorResponse {
  return isObject(value) && isObject(value.error) && typeof value.error.message === 'string' && typeof value.error.status === 'number';
}
