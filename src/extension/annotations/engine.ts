// The annotation engine: everything that touches the reward engine and YAML lives behind this
// module, which the extension loads on first use (see annotation-controller.ts), so activation
// stays cheap. Pure: no VS Code, no I/O.
import { parseChain } from '../../core/chain-parser';
import type { ChainSection } from '../../core/chain-types';
import { resolveRewardConfig, scoreChain, type RewardPresetName } from '../../core/reward';
import type { RewardBreakdown, RewardConfig, RewardReference } from '../../core/reward-types';
import { readChainDocument, type SpanProblem } from './chain-document';
import { readJsonlLine } from './jsonl-record';
import { hasReference } from '../../core/record-fields';
import { renumberStepEdits, type TextReplacement } from './renumber';
import type { AnnotationSettings } from './settings';
import { guardText } from './text-guard';

/** One scored chain, offsets in chain-text coordinates. */
export interface ScoredChain {
  breakdown: RewardBreakdown;
  sections: ChainSection[];
  reference: { answer: boolean; keySteps: boolean };
  referenceSource: string | null;
  renumber: TextReplacement[];
}

export interface DocumentProblem extends SpanProblem {
  severity: 'error' | 'warning' | 'info';
  /** Diagnostic code: NOT_SCORED (too large / binary), REFERENCE (bad reference), INVALID_JSON. */
  code: 'NOT_SCORED' | 'REFERENCE' | 'INVALID_JSON';
}

/** A Markdown / plain-text document: at most one chain, offsets are document offsets. */
export interface ChainDocumentResult {
  chain: ScoredChain | null;
  problems: DocumentProblem[];
}

/** One JSONL line: offsets are columns of that line (already mapped from the decoded string). */
export interface JsonlLineResult {
  chain: ScoredChain | null;
  problems: DocumentProblem[];
}

export function rewardConfig(settings: AnnotationSettings): RewardConfig {
  const base = resolveRewardConfig(settings.preset);
  return { ...base, ...(settings.mode ? { mode: settings.mode } : {}), ...(settings.scope ? { scope: settings.scope } : {}) };
}

function score(chainText: string, reference: RewardReference, config: RewardConfig, referenceSource: string | null): ScoredChain {
  const breakdown = scoreChain(chainText, reference, config);
  const sections = parseChain(chainText, config.mode).sections;
  return { breakdown, sections, reference: hasReference(reference), referenceSource, renumber: renumberStepEdits(sections) };
}

/** True when a document has at least one section header; other documents are left alone. */
function looksLikeChain(text: string, config: RewardConfig): boolean {
  return parseChain(text, config.mode).sections.length > 0;
}

/**
 * The reward a document names in `reward_config` (a chain opened from a run: that run's reward), or
 * undefined with a problem when it names none that resolves.
 */
export function documentRewardConfig(written: unknown): { config: RewardConfig } | { problem: string } {
  try {
    return { config: resolveRewardConfig(written as Partial<RewardConfig> | RewardPresetName) };
  } catch (err) {
    return { problem: `Front matter field \`reward_config\`: ${(err as Error).message}. Scored with the stepgrpo.reward settings instead.` };
  }
}

export function analyseChainDocument(text: string, settings: AnnotationSettings, fallback = rewardConfig(settings)): ChainDocumentResult {
  const guard = guardText(text, settings.maxChainLength, 'This document');
  if (!guard.ok) return { chain: null, problems: [{ severity: 'warning', code: 'NOT_SCORED', message: guard.message, start: 0, end: 0 }] };
  const doc = readChainDocument(text);
  const problems: DocumentProblem[] = doc.problems.map((p) => ({ ...p, severity: 'warning' as const, code: 'REFERENCE' as const }));
  let config = fallback;
  if (doc.rewardConfig) {
    const own = documentRewardConfig(doc.rewardConfig.value);
    if ('config' in own) config = own.config;
    else problems.push({ severity: 'warning', code: 'REFERENCE', message: own.problem, start: doc.rewardConfig.start, end: doc.rewardConfig.end });
  }
  if (!doc.referenceSource && !looksLikeChain(doc.chainText, config)) return { chain: null, problems };
  return { chain: score(doc.chainText, doc.reference, config, doc.referenceSource), problems };
}

export function analyseJsonlLine(line: string, settings: AnnotationSettings, config = rewardConfig(settings)): JsonlLineResult {
  const guard = guardText(line, settings.maxChainLength, 'This line');
  if (!guard.ok) return { chain: null, problems: [{ severity: 'warning', code: 'NOT_SCORED', message: guard.message, start: 0, end: 0 }] };
  const read = readJsonlLine(line);
  switch (read.kind) {
    case 'blank':
    case 'no-chain':
      return { chain: null, problems: [] };
    case 'error':
      return { chain: null, problems: [{ ...read.problem, severity: 'error', code: 'INVALID_JSON' }] };
  }
  const problems: DocumentProblem[] = read.problems.map((p) => ({ ...p, severity: 'warning' as const, code: 'REFERENCE' as const }));
  const chainGuard = guardText(read.chainText, settings.maxChainLength, `The \`${read.field}\` field`);
  if (!chainGuard.ok) return { chain: null, problems: [...problems, { severity: 'warning', code: 'NOT_SCORED', message: chainGuard.message, start: 0, end: 0 }] };
  const chain = score(read.chainText, read.reference, config, 'record');
  return { chain: mapChain(chain, read.columns), problems };
}

/** Re-expresses every offset of a chain through `columns` (decoded unit → raw line column). */
function mapChain(chain: ScoredChain, columns: Uint32Array): ScoredChain {
  const at = (offset: number) => columns[Math.min(Math.max(offset, 0), columns.length - 1)]!;
  const span = <T extends { start: number; end: number }>(s: T): T => ({ ...s, start: at(s.start), end: at(s.end) });
  const b = chain.breakdown;
  return {
    ...chain,
    breakdown: {
      ...b,
      violations: b.violations.map(span),
      key_steps: b.key_steps.map((k) => ({ ...k, spans: k.spans.map(([s, e]) => [at(s), at(e)] as [number, number]) })),
    },
    sections: chain.sections.map((s) => ({
      ...s,
      header: span(s.header),
      body: span(s.body),
      ...(s.stepDigits ? { stepDigits: span(s.stepDigits) } : {}),
    })),
    renumber: chain.renumber.map(span),
  };
}
