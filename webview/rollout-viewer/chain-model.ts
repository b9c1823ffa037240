// The render model of one chain (pure, no DOM): its sections as produced by core's parseChain, each
// cut into segments that carry the key steps and violations covering them. The DOM layer only maps
// segments to text nodes, so highlighting and escaping stay separate concerns.
import { parseChain } from '../../src/core/chain-parser';
import type { SectionKind, Span } from '../../src/core/chain-types';
import type { RewardBreakdown } from '../../src/core/reward-types';

export interface Segment {
  start: number;
  end: number;
  text: string;
  /** Indices into `rewards.key_steps` whose spans cover this segment. */
  keySteps: number[];
  /** Indices into `rewards.violations`; a zero-width segment is a violation at a point. */
  violations: number[];
}

export interface SectionModel {
  kind: SectionKind | 'preamble';
  header: Segment[];
  body: Segment[];
}

export interface ChainModel {
  sections: SectionModel[];
  /** Key steps of the reference that no span of the chain matched (their text). */
  missingKeySteps: string[];
  /** Violations whose span lies outside every rendered header and body (listed only). */
  unplacedViolations: number[];
}

interface Mark {
  start: number;
  end: number;
  kind: 'key' | 'violation';
  index: number;
}

/** Cuts [start, end) of `text` at every mark boundary; zero-width violations inside become empty segments. */
export function segmentRange(text: string, start: number, end: number, marks: readonly Mark[]): Segment[] {
  const cuts = new Set<number>([start, end]);
  for (const m of marks) {
    if (m.start > start && m.start < end) cuts.add(m.start);
    if (m.end > start && m.end < end) cuts.add(m.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const segments: Segment[] = [];
  const pointMarks = marks.filter((m) => m.kind === 'violation' && m.start === m.end && m.start >= start && m.start <= end);
  const pushPoints = (at: number): void => {
    const here = pointMarks.filter((m) => m.start === at).map((m) => m.index);
    if (here.length) segments.push({ start: at, end: at, text: '', keySteps: [], violations: here });
  };
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    pushPoints(a);
    const covering = marks.filter((m) => m.start < m.end && m.start <= a && m.end >= b);
    segments.push({
      start: a,
      end: b,
      text: text.slice(a, b),
      keySteps: covering.filter((m) => m.kind === 'key').map((m) => m.index),
      violations: covering.filter((m) => m.kind === 'violation').map((m) => m.index),
    });
  }
  pushPoints(end);
  return segments;
}

function marksOf(rewards: RewardBreakdown): Mark[] {
  const marks: Mark[] = [];
  rewards.key_steps.forEach((k, index) => {
    for (const [start, end] of k.spans ?? []) marks.push({ start, end, kind: 'key', index });
  });
  rewards.violations.forEach((v, index) => marks.push({ start: v.start, end: v.end, kind: 'violation', index }));
  return marks;
}

const touches = (m: Mark, s: Span): boolean => (m.start === m.end ? m.start >= s.start && m.start <= s.end : m.start < s.end && m.end > s.start);

export function buildChainModel(text: string, rewards: RewardBreakdown): ChainModel {
  const parsed = parseChain(text, rewards.mode);
  const marks = marksOf(rewards);
  const sections: SectionModel[] = [];
  const rendered: Span[] = [];
  if (parsed.preamble) {
    rendered.push(parsed.preamble);
    sections.push({ kind: 'preamble', header: [], body: segmentRange(text, parsed.preamble.start, parsed.preamble.end, marks) });
  }
  for (const s of parsed.sections) {
    rendered.push(s.header, s.body);
    sections.push({
      kind: s.kind,
      header: segmentRange(text, s.header.start, s.header.end, marks),
      body: segmentRange(text, s.body.start, s.body.end, marks),
    });
  }
  const unplacedViolations = rewards.violations
    .map((v, index) => ({ start: v.start, end: v.end, kind: 'violation' as const, index }))
    .filter((m) => !rendered.some((span) => touches(m, span)))
    .map((m) => m.index);
  return {
    sections,
    missingKeySteps: rewards.key_steps.filter((k) => !k.matched).map((k) => k.text),
    unplacedViolations,
  };
}
