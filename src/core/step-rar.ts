// StepRAR's key-step matching (DESIGN §5): for every key-step group, matched or not, which
// alternative, and the spans it matched. The ratio feeds r_acc = 1[correct] + α·ratio.
import type { ParsedChain } from './chain-types';
import type { KeyStepGroup, KeyStepResult, KeyStepScope, RewardMode } from './reward-types';
import { isSpaceCode } from './chain-parser';
import { normalizeRangesScratch, normalizeTextForMatch, type NormalizedText } from './match-normalize';
import { searcherFor, type Searcher } from './substring-search';
import { isDecimalDigitAt } from './decimal-digits';

export interface KeyStepMatch {
  ratio: number;
  results: KeyStepResult[];
}

/** At most this many spans per key step are reported (the first ones in the text). */
const MAX_SPANS = 8;

export function matchKeySteps(chain: ParsedChain, groups: readonly KeyStepGroup[] | undefined, mode: RewardMode, scope: KeyStepScope = 'steps'): KeyStepMatch {
  if (!groups || groups.length === 0) return { ratio: 0, results: [] };
  const results = mode === 'r1vl' ? matchR1vl(chain.text, groups) : matchRobust(chain, groups, scope);
  const matched = results.reduce((n, r) => n + (r.matched ? 1 : 0), 0);
  return { ratio: matched / groups.length, results };
}

const alternativesOf = (g: KeyStepGroup): readonly string[] => (typeof g === 'string' ? [g] : g);
const groupText = (g: KeyStepGroup): string => (typeof g === 'string' ? g : g.join(' | '));

// ---------------------------------------------------------------------------------------------
// r1vl: bodies of `### Step \d+:\s*(.*?)(?=\n###|\Z)` (DOTALL), joined by spaces, lower-cased;
// an alternative matches when it is a lower-case substring.

interface Piece {
  /** Offset of this piece in the joined string. */
  joined: number;
  /** Source offset of the piece. */
  source: number;
  length: number;
  /** Per-code-unit source offsets when lower-casing changed the length; null when 1:1. */
  map: number[] | null;
}

/** Step bodies exactly as the released code's regex finds them. */
export function r1vlStepBodies(text: string): { start: number; end: number }[] {
  const bodies: { start: number; end: number }[] = [];
  let i = text.indexOf('### Step ');
  while (i >= 0) {
    let j = i + 9;
    const d0 = j;
    while (j < text.length && isDecimalDigitAt(text, j)) j += text.codePointAt(j)! > 0xffff ? 2 : 1;
    if (j === d0 || text.charCodeAt(j) !== 58) {
      i = text.indexOf('### Step ', i + 1);
      continue;
    }
    let b = j + 1;
    while (b < text.length && isSpaceCode(text.charCodeAt(b))) b++;
    const next = text.indexOf('\n###', b);
    // the released pattern ends at `\Z`: the very end, a final newline included
    const e = next >= 0 ? next : text.length;
    bodies.push({ start: b, end: e });
    i = text.indexOf('### Step ', e);
  }
  return bodies;
}

function matchR1vl(text: string, groups: readonly KeyStepGroup[]): KeyStepResult[] {
  const pieces: Piece[] = [];
  const parts: string[] = [];
  let joinedLen = 0;
  for (const body of r1vlStepBodies(text)) {
    const raw = text.slice(body.start, body.end);
    const lower = raw.toLowerCase();
    let map: number[] | null = null;
    if (lower.length !== raw.length) {
      map = [];
      for (let k = 0; k < raw.length;) {
        const cp = raw.codePointAt(k)!;
        const len = cp > 0xffff ? 2 : 1;
        const l = String.fromCodePoint(cp).toLowerCase().length;
        for (let q = 0; q < l; q++) map.push(body.start + k);
        k += len;
      }
    }
    if (parts.length > 0) joinedLen += 1;
    pieces.push({ joined: joinedLen, source: body.start, length: lower.length, map });
    parts.push(lower);
    joinedLen += lower.length;
  }
  const joined = parts.join(' ');
  const search = searcherFor(joined, needleCount(groups));
  const toSource = (k: number, isEnd: boolean): number => {
    let p = pieces[0]!;
    for (const q of pieces) if (q.joined <= k) p = q;
    const off = Math.min(Math.max(k - p.joined, 0), p.length);
    if (!p.map) return p.source + off;
    if (off >= p.map.length) return p.map.length > 0 ? p.map[p.map.length - 1]! + (isEnd ? 1 : 0) : p.source;
    return p.map[off]!;
  };
  return groups.map((g) => {
    for (const alt of alternativesOf(g)) {
      const needle = alt.toLowerCase();
      if (needle.length === 0) return { text: groupText(g), matched: true, alternative: alt, spans: [] };
      const spans: [number, number][] = [];
      let at = search.indexOf(needle, 0);
      while (at >= 0 && spans.length < MAX_SPANS) {
        spans.push([toSource(at, false), toSource(at + needle.length, true)]);
        at = search.indexOf(needle, at + needle.length);
      }
      if (spans.length > 0) return { text: groupText(g), matched: true, alternative: alt, spans };
    }
    return { text: groupText(g), matched: false, alternative: null, spans: [] };
  });
}

// ---------------------------------------------------------------------------------------------
// robust: soft matching over normalised text, equations either way round, numbers on boundaries.

function matchRobust(chain: ParsedChain, groups: readonly KeyStepGroup[], scope: KeyStepScope): KeyStepResult[] {
  // scratch views: valid while this function runs (key steps are normalised by a separate builder)
  const ranges = scope === 'chain' ? [{ start: 0, end: chain.text.length }] : stepBodies(chain);
  const hay: NormalizedText = normalizeRangesScratch(chain.text, ranges);
  const search = searcherFor(hay.text, 2 * needleCount(groups));
  const results: KeyStepResult[] = [];
  for (const g of groups) results.push(matchGroup(hay, search, g));
  return results;
}

function needleCount(groups: readonly KeyStepGroup[]): number {
  let n = 0;
  for (const g of groups) n += typeof g === 'string' ? 1 : g.length;
  return n;
}

function stepBodies(chain: ParsedChain): { start: number; end: number }[] {
  const bodies: { start: number; end: number }[] = [];
  for (const s of chain.sections) if (s.kind === 'step') bodies.push(s.body);
  return bodies;
}

function matchGroup(hay: NormalizedText, search: Searcher, g: KeyStepGroup): KeyStepResult {
  for (const alt of alternativesOf(g)) {
    const variants = needlesOf(alt);
    if (variants.length === 0) return { text: groupText(g), matched: true, alternative: alt, spans: [] };
    const spans = findAll(hay, search, variants);
    if (spans.length > 0) return { text: groupText(g), matched: true, alternative: alt, spans };
  }
  return { text: groupText(g), matched: false, alternative: null, spans: [] };
}

// The trainer scores a group of G chains against one reference, so each key step is normalised
// once and reused. Normalisation is a pure function of the string; the memo only bounds memory
// (entries and length), so a run over distinct references cannot grow it without limit.
const needleMemo = new Map<string, readonly string[]>();
const MAX_NEEDLE_MEMO = 4096;
const MAX_MEMO_KEY_LENGTH = 512;

function needlesOf(alt: string): readonly string[] {
  if (alt.length > MAX_MEMO_KEY_LENGTH) return needleVariants(normalizeTextForMatch(alt));
  let variants = needleMemo.get(alt);
  if (variants === undefined) {
    variants = needleVariants(normalizeTextForMatch(alt));
    if (needleMemo.size >= MAX_NEEDLE_MEMO) needleMemo.clear();
    needleMemo.set(alt, variants);
  }
  return variants;
}

/** Forgets memoised key-step normalisations (benchmarks measure the cold path with it). */
export function clearKeyStepMemo(): void {
  needleMemo.clear();
}

/** The normalised key step, plus the equation with its sides swapped when it has exactly one `=`. */
export function needleVariants(needle: string): string[] {
  if (needle.length === 0) return [];
  const eq = needle.indexOf('=');
  if (eq <= 0 || eq === needle.length - 1 || needle.indexOf('=', eq + 1) >= 0) return [needle];
  const before = needle.charCodeAt(eq - 1);
  if (before === 60 || before === 62 || before === 33) return [needle]; // <= >= != are relations, not equations
  return [needle, `${needle.slice(eq + 1)}=${needle.slice(0, eq)}`];
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

/** Occurrences of any variant whose numeric ends do not run into neighbouring digits. */
function findAll(hay: NormalizedText, search: Searcher, variants: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  const text = hay.text;
  for (const v of variants) {
    const digitStart = isDigitCode(v.charCodeAt(0)) || v.charCodeAt(0) === 46;
    const digitEnd = isDigitCode(v.charCodeAt(v.length - 1));
    let at = search.indexOf(v, 0);
    while (at >= 0 && spans.length < MAX_SPANS) {
      const end = at + v.length;
      const before = text.charCodeAt(at - 1);
      const after = text.charCodeAt(end);
      const okStart = !digitStart || !(isDigitCode(before) || (before === 46 && isDigitCode(text.charCodeAt(at - 2))));
      const okEnd = !digitEnd || !(isDigitCode(after) || (after === 46 && isDigitCode(text.charCodeAt(end + 1))));
      if (okStart && okEnd) {
        spans.push([hay.starts[at]!, hay.ends[end - 1]!]);
        at = search.indexOf(v, end);
      } else {
        at = search.indexOf(v, at + 1);
      }
    }
    if (spans.length > 0) break;
  }
  return spans;
}
