// HTTP reward server protocol (DESIGN §1, §3): the JSON bodies of every endpoint, with runtime
// guards whose issues name the offending field. Shape checks only; key-step contents and reward
// configs are validated by the reward engine (core/) when the server resolves an item.
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';
import { array, issue, isObject, nullable, number, object, optional, parse, refine, step, string, unknown, type Checked, type Schema } from './schema';

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
  /** End-of-sequence / padding texts cut from the end of `completion` before scoring; default: the server's (`[]` cuts none). */
  end_markers?: string[];
  /** Recording only (`--out`): the prompt, shown in the viewer and used to group the samples of one prompt. */
  prompt?: string;
  /** Recording only: the trainer's step; without it steps are time windows. */
  step?: number;
  /** Recording only: the id of the group of samples of one prompt (verl's uid, a dataset index). */
  group?: string;
  /** Recording only: completion length in tokens, when the client knows it. */
  tokens?: number;
}

export interface ScoreResponse {
  rewards: RewardBreakdown;
}

/** `POST /score_batch`: `{items, preset?, config?, step?}` (defaults for every item) or a bare list of items. */
export interface ScoreBatchRequest {
  items: ScoreItem[];
  preset?: string;
  config?: Partial<RewardConfig>;
  step?: number;
  end_markers?: string[];
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
  /** End-of-sequence / padding texts cut from the end of each response; default: the server's. */
  end_markers?: string[];
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
  /** Texts cut from the end of a completion before scoring, unless a request names its own. */
  end_markers: string[];
  /** Present when the server records what it scores (`--out`). */
  recording?: RecordingStatus;
  /** Whether requests need `Authorization: Bearer <token>`. */
  auth: 'none' | 'bearer';
}

export interface RecordingStatus {
  /** Left out for a cross-origin reader without a token: where the run lives is not theirs to know. */
  dir?: string;
  /** Chains written to the run directory (a chain whose write failed is not counted). */
  chains: number;
  steps: number;
  /** The last write error, when recording failed (scoring goes on). */
  error?: string;
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
  /** Retries answered from a stored reply (same `X-Request-Id`), nothing scored or recorded again. */
  requests_replayed: number;
  /** Batch requests being scored at the moment of this reply (they yield between slices). */
  scoring_now: number;
  open_connections: number;
  /** Over the most recent requests (a bounded window), all routes. */
  latency: LatencySummary;
}

const optionalText = optional(nullable(string()));
const optionalConfig = optional(nullable(object({})));
const optionalMarkers = optional(nullable(array(string())));

/** One item, unknown fields refused so that a typo (`answr`) is not silently ignored. */
const scoreItemSchema = object(
  {
    completion: refine(unknown(), (v, p) => (v === undefined ? issue(p, 'missing (the chain text to score)') : string().check(v, p))),
    answer: optionalText,
    solution: optionalText,
    key_steps: optional(unknown()),
    preset: optionalText,
    config: optionalConfig,
    end_markers: optionalMarkers,
    prompt: optionalText,
    step: optional(nullable(step())),
    group: optionalText,
    tokens: optional(nullable(number({ integer: true, min: 0 }))),
  },
  { strict: true },
);

/** Checks one score item; `prefix` starts field paths (`items[3]`). Nulls count as absent. */
export function parseScoreItem(value: unknown, prefix = ''): Checked<ScoreItem> {
  const checked = parse(scoreItemSchema, value, prefix, prefix || 'body');
  if (!checked.ok) return checked;
  const v = checked.value;
  const item: ScoreItem = { completion: v.completion as string };
  if (typeof v.answer === 'string') item.answer = v.answer;
  if (typeof v.solution === 'string') item.solution = v.solution;
  if (v.key_steps !== undefined && v.key_steps !== null) item.key_steps = v.key_steps;
  if (typeof v.preset === 'string') item.preset = v.preset;
  if (isObject(v.config)) item.config = v.config as Partial<RewardConfig>;
  if (Array.isArray(v.end_markers)) item.end_markers = v.end_markers;
  if (typeof v.prompt === 'string') item.prompt = v.prompt;
  if (typeof v.step === 'number') item.step = v.step;
  if (typeof v.group === 'string') item.group = v.group;
  if (typeof v.tokens === 'number') item.tokens = v.tokens;
  return { ok: true, value: item };
}

const batchEnvelopeSchema = object(
  { items: array(unknown()), preset: optionalText, config: optionalConfig, step: optional(nullable(step())), end_markers: optionalMarkers },
  { strict: true },
);

type BatchEnvelope = Omit<ScoreBatchRequest, 'items'> & { items: unknown[] };

/**
 * Checks the envelope of a batch: `{items, preset?, config?}` or a bare list. Items are left
 * unchecked (`unknown[]`) so that one bad item is reported in place instead of failing the batch.
 */
export function parseScoreBatchEnvelope(value: unknown): Checked<BatchEnvelope> {
  if (Array.isArray(value)) return { ok: true, value: { items: value } };
  const checked = parse(batchEnvelopeSchema, value, '', 'body');
  if (!checked.ok) return checked;
  const out: BatchEnvelope = { items: checked.value.items };
  if (typeof checked.value.preset === 'string') out.preset = checked.value.preset;
  if (isObject(checked.value.config)) out.config = checked.value.config as Partial<RewardConfig>;
  if (typeof checked.value.step === 'number') out.step = checked.value.step;
  if (Array.isArray(checked.value.end_markers)) out.end_markers = checked.value.end_markers;
  return { ok: true, value: out };
}

const perQuery: Schema<string[] | null | undefined> = optional(nullable(array(string())));

/** An OpenRLHF remote-RM request. Extra fields are ignored (OpenRLHF versions differ). */
const getRewardSchema = refine(
  object({
    query: refine(unknown(), (v, p) => (v === undefined ? issue(p, 'missing (the list of prompt + response texts)') : array(string()).check(v, p))),
    prompts: perQuery,
    labels: perQuery,
    end_markers: perQuery,
  }),
  (v) => {
    const n = (v.query as string[]).length;
    for (const key of ['prompts', 'labels'] as const) {
      const list = v[key];
      if (list && list.length !== n) return issue(key, `expected ${n} entries (one per query), got ${list.length}`);
    }
    return null;
  },
);

export function parseGetRewardRequest(value: unknown): Checked<GetRewardRequest> {
  const checked = parse(getRewardSchema, value, '', 'body');
  if (!checked.ok) return checked;
  const out: GetRewardRequest = { query: checked.value.query as string[] };
  if (checked.value.prompts) out.prompts = checked.value.prompts;
  if (checked.value.labels) out.labels = checked.value.labels;
  if (checked.value.end_markers) out.end_markers = checked.value.end_markers;
  return { ok: true, value: out };
}

/** Client-side guard for a `/score` reply. */
export const isScoreResponse = (value: unknown): value is ScoreResponse => isObject(value) && isObject(value.rewards) && number().check(value.rewards.total, '') === null;

/** Client-side guard for an error reply. */
export const isErrorResponse = (value: unknown): value is ErrorResponse => parse(object({ error: object({ status: number({ integer: true }), message: string() }) }), value).ok;
