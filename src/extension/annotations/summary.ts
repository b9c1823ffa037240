// What a person reads: the one-line reward summary (CodeLens, end of JSONL line) and the hover's
// full breakdown. Pure, so the wording is tested without VS Code.
import type { RewardBreakdown } from '../../core/reward-types';

export interface ReferencePresence {
  answer: boolean;
  keySteps: boolean;
}

const mark = (ok: boolean) => (ok ? '✓' : '✗');

export function formatTotal(total: number): string {
  return Number.isInteger(total) ? total.toFixed(1) : total.toFixed(3).replace(/0+$/, '');
}

export function keyStepCount(b: RewardBreakdown): { matched: number; total: number } {
  return { matched: b.key_steps.filter((k) => k.matched).length, total: b.key_steps.length };
}

/** `answer ✓ · key steps 2/3 · StepRVR ✗ · total 1.07`, with `?` where the reference lacks a part. */
export function formatSummary(b: RewardBreakdown, ref: ReferencePresence): string {
  const answer = ref.answer ? `answer ${mark(b.answer_correct)}` : 'answer ? (no reference)';
  const { matched, total } = keyStepCount(b);
  const keySteps = ref.keySteps ? `key steps ${matched}/${total}` : 'key steps ? (none given)';
  return `${answer} · ${keySteps} · StepRVR ${mark(b.validity === 1)} · total ${formatTotal(b.total)}`;
}

/** What StepRAR needs and did not get, in words; null when the reference is complete. */
export function missingReference(ref: ReferencePresence, jsonl: boolean): string | null {
  const parts = [ref.answer ? null : 'reference answer', ref.keySteps ? null : 'key steps'].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  const where = jsonl
    ? 'add `answer` (or `solution`) and `key_steps` fields to the record'
    : 'add `answer:` and `key_steps:` to the YAML front matter or a `<!-- stepgrpo: {...} -->` comment';
  return `StepRAR has no ${parts.join(' and no ')} to score against: ${where}.`;
}

export function unmatchedKeySteps(b: RewardBreakdown): string[] {
  return b.key_steps.filter((k) => !k.matched).map((k) => k.text);
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, '\\$&').replace(/\r?\n/g, ' ');
}

export interface BreakdownContext {
  preset: string;
  referenceSource: string | null;
  reference: ReferencePresence;
  jsonl: boolean;
}

/** The hover: every number of the breakdown and every key step, chain text escaped. */
export function formatBreakdownMarkdown(b: RewardBreakdown, ctx: BreakdownContext): string {
  const { matched, total } = keyStepCount(b);
  const lines: string[] = [];
  lines.push(`**StepGRPO reward ${formatTotal(b.total)}** — preset \`${ctx.preset}\`, mode \`${b.mode}\``);
  lines.push('');
  lines.push('| part | value |', '|---|---|');
  lines.push(`| total | ${formatTotal(b.total)} |`);
  lines.push(`| StepRAR r_acc | ${formatTotal(b.r_acc)} |`);
  lines.push(`| StepRVR r_val | ${formatTotal(b.r_val)} |`);
  lines.push(`| answer | ${b.answer === null ? '_none found_' : escapeMarkdown(b.answer)} ${ctx.reference.answer ? mark(b.answer_correct) : '(no reference)'} |`);
  lines.push(`| key steps | ${matched}/${total} (ratio ${formatTotal(b.key_step_ratio)}) |`);
  lines.push(`| validity | ${b.validity === 1 ? '✓ complete and logical' : `✗ ${b.violations.length} violation${b.violations.length === 1 ? '' : 's'}`} |`);
  const missing = missingReference(ctx.reference, ctx.jsonl);
  if (missing) lines.push('', `_${escapeMarkdown(missing)}_`);
  else if (ctx.referenceSource) lines.push('', `Reference from the ${ctx.referenceSource}.`);
  if (b.key_steps.length) {
    lines.push('', '**Key steps**', '');
    for (const k of b.key_steps) {
      const via = k.matched && k.alternative !== null && k.alternative !== k.text ? ` (via ${escapeMarkdown(k.alternative)})` : '';
      lines.push(`- ${mark(k.matched)} ${escapeMarkdown(k.text)}${via}`);
    }
  }
  if (b.violations.length) {
    lines.push('', '**Violations**', '');
    for (const v of b.violations) lines.push(`- \`${v.code}\` ${escapeMarkdown(v.message)}`);
  }
  return lines.join('\n');
}
