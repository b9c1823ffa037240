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
  /** Index into the model's `math` regions when the segment lies inside one (wholly inside this section). */
  math: number | null;
}

/** A formula in the chain text: `$…$`, `$$…$$`, `\(…\)`, `\[…\]` or `\boxed{…}`, delimiters included. */
export interface MathRegion {
  start: number;
  end: number;
  tex: string;
  display: boolean;
}

export interface SectionModel {
  kind: SectionKind | 'preamble';
  /** The number of a `### Step k` section. */
  step?: number;
  header: Segment[];
  body: Segment[];
}

export interface ChainModel {
  sections: SectionModel[];
  /** Key steps of the reference that no span of the chain matched (their text). */
  missingKeySteps: string[];
  /** Violations whose span lies outside every rendered header and body (listed only). */
  unplacedViolations: number[];
  math: MathRegion[];
}

interface Mark {
  start: number;
  end: number;
  kind: 'key' | 'violation' | 'math';
  index: number;
}

/** The longest formula rendered as math; longer ones (a runaway `$`) stay text. */
const MAX_MATH_CHARS = 2000;

/**
 * Formulas in `text`, left to right, not overlapping. A `$` opens inline math only when not
 * escaped and not followed by a space, and closes at a `$` not preceded by a space nor followed by
 * a digit, so prices ("$5 and $6") stay text. `\boxed{…}` outside other formulas is its own.
 */
export function findMath(text: string): MathRegion[] {
  const out: MathRegion[] = [];
  const re = /\$\$|\$|\\\(|\\\[|\\boxed\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index;
    if (at > 0 && text[at - 1] === '\\' && m[0][0] === '$') continue;
    let end = -1;
    let tex = '';
    let display = false;
    if (m[0] === '$$' || m[0] === '\\[') {
      const close = text.indexOf(m[0] === '$$' ? '$$' : '\\]', at + 2);
      if (close > at + 2) {
        end = close + 2;
        tex = text.slice(at + 2, close);
        display = true;
      }
    } else if (m[0] === '\\(') {
      const close = text.indexOf('\\)', at + 2);
      if (close > at + 2) {
        end = close + 2;
        tex = text.slice(at + 2, close);
      }
    } else if (m[0] === '$') {
      if (!/\s/.test(text[at + 1] ?? ' ')) {
        for (let j = at + 1; j < text.length && j - at <= MAX_MATH_CHARS; j++) {
          if (text[j] === '\n' && text[j + 1] === '\n') break;
          if (text[j] === '$' && text[j - 1] !== '\\' && !/\s/.test(text[j - 1]!) && !/\d/.test(text[j + 1] ?? '')) {
            end = j + 1;
            tex = text.slice(at + 1, j);
            break;
          }
        }
      }
    } else {
      let depth = 1;
      let j = at + m[0].length;
      for (; j < text.length && depth > 0 && j - at <= MAX_MATH_CHARS; j++) {
        if (text[j] === '\\') j++;
        else if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
      }
      if (depth === 0) {
        end = j;
        tex = text.slice(at, j);
      }
    }
    if (end < 0 || end - at > MAX_MATH_CHARS || tex.trim() === '') continue;
    out.push({ start: at, end, tex, display });
    re.lastIndex = end;
  }
  return out;
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
    if (here.length) segments.push({ start: at, end: at, text: '', keySteps: [], violations: here, math: null });
  };
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    pushPoints(a);
    const covering = marks.filter((m) => m.start < m.end && m.start <= a && m.end >= b);
    const math = covering.find((m) => m.kind === 'math' && m.start >= start && m.end <= end);
    segments.push({
      start: a,
      end: b,
      text: text.slice(a, b),
      keySteps: covering.filter((m) => m.kind === 'key').map((m) => m.index),
      violations: covering.filter((m) => m.kind === 'violation').map((m) => m.index),
      math: math ? math.index : null,
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
  const math = findMath(text);
  // Formula edges cut segments too, so each segment is wholly inside a formula or outside all.
  const marks = [...marksOf(rewards), ...math.map((r, index) => ({ start: r.start, end: r.end, kind: 'math' as const, index }))];
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
      ...(s.step !== undefined ? { step: s.step } : {}),
      header: segmentRange(text, s.header.start, s.header.end, marks),
      body: segmentRange(text, s.body.start, s.body.end, marks),
    });
  }
  const unplacedViolations = rewards.violations
    .map((v, index): Mark => ({ start: v.start, end: v.end, kind: 'violation', index }))
    .filter((m) => !rendered.some((span) => touches(m, span)))
    .map((m) => m.index);
  return {
    sections,
    missingKeySteps: rewards.key_steps.filter((k) => !k.matched).map((k) => k.text),
    unplacedViolations,
    math,
  };
}

/** A run of segments the DOM renders as one piece: plain segments, or one formula's segments together. */
export type Piece = { kind: 'text'; segment: Segment } | { kind: 'math'; region: MathRegion; segments: Segment[] };

/** Groups a section's segments into pieces; a formula keeps the key steps and violations of all its segments. */
export function pieces(segments: readonly Segment[], math: readonly MathRegion[]): Piece[] {
  const out: Piece[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (segment.math === null) out.push({ kind: 'text', segment });
    else if (last?.kind === 'math' && last.region === math[segment.math]) last.segments.push(segment);
    else out.push({ kind: 'math', region: math[segment.math]!, segments: [segment] });
  }
  return out;
}

/** [start, end) of every case-insensitive occurrence of `needle` (already lower-cased) in `text`. */
export function findHits(text: string, needle: string): [number, number][] {
  if (!needle) return [];
  const hay = text.toLowerCase();
  const hits: [number, number][] = [];
  // Lower-casing can change lengths (e.g. 'İ'); then offsets are not comparable and nothing is marked.
  if (hay.length !== text.length) return hits;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) hits.push([at, at + needle.length]);
  return hits;
}
