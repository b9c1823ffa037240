// OpenRLHF's remote reward model call (`--remote_rm_url .../get_reward`): each query is the prompt
// followed by the response, each label the `--label_key` column of the dataset.
import { parseScoreItem, type ScoreItem } from '../protocol/reward-server';
import { issue, kindOf } from '../protocol/schema';
import { RequestFieldError, accept } from './request-error';

/** The response part of a query: the query without its prompt, when the prompt is its prefix. */
export function completionFromQuery(query: string, prompt: string | undefined): string {
  return prompt !== undefined && prompt.length > 0 && query.startsWith(prompt) ? query.slice(prompt.length) : query;
}

const LABEL_FIELDS = ['answer', 'solution', 'key_steps', 'preset', 'config', 'end_markers'] as const;

/**
 * A label is the gold answer, or the text of a JSON object with any of `answer` (or
 * `ground_truth`), `solution`, `key_steps`, `preset`, `config`, `end_markers` (other keys are ignored).
 */
export function itemFromLabel(completion: string, label: string | undefined, where: string): ScoreItem {
  if (label === undefined) return { completion };
  const text = label.trim();
  if (!text.startsWith('{')) return { completion, answer: label };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RequestFieldError(issue(where, `starts with "{" but is not valid JSON (${(err as Error).message}); send the gold answer as plain text or a JSON object`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RequestFieldError(issue(where, `expected a JSON object, got ${kindOf(value)}`));
  const fields: Record<string, unknown> = { completion };
  const obj = value as Record<string, unknown>;
  for (const key of LABEL_FIELDS) if (key in obj) fields[key] = obj[key];
  if (!('answer' in obj) && 'ground_truth' in obj) fields.answer = obj.ground_truth;
  return accept(parseScoreItem(fields, where));
}
