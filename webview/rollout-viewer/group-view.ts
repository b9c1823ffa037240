// DOM for one group row: prompt, image, reference, then the chains that passed the filters. Every
// piece of chain, prompt and reference text goes through h() as a text node; formulas go through
// KaTeX's DOM renderer inside the span that carries their highlight (math.ts). Search hits are
// marked by offsets into the whole chain, so a hit across a highlight edge is marked exactly.
import type { RolloutSample } from '../../src/protocol/trainer-messages';
import type { ViewerComparison, ViewerLayout } from '../../src/protocol/viewer-messages';
import { h, type Child } from '../shared/dom';
import { alignChains } from './alignment';
import { isCompareRow, type CompareRow } from './compare-rows';
import { buildChainModel, findHits, pieces, type ChainModel, type MathRegion, type Segment } from './chain-model';
import type { Row } from './filters';
import { renderMath } from './math';
import { noTokenHeat, tokenHeatView, type HeatMode } from './token-heat';

/** Chains longer than this many characters are shown up to it, with a "Show all" button. */
export const COLLAPSE_CHARS = 4000;
/** Prompts longer than this (a raw chat template) are shown up to it, with a "Show full prompt" button. */
export const PROMPT_COLLAPSE_CHARS = 400;

/** What rendering a row depends on besides the row itself. */
export interface ViewContext {
  layout: ViewerLayout;
  /** The search, lower-cased; empty for none. */
  needle: string;
  /** Keys (chainKey, or promptKey for a prompt) of long chains and prompts the user expanded. */
  expanded: ReadonlySet<string>;
  /** Key of the chain the search navigation is on. */
  current: string | null;
  /** Key of the chain the keyboard cursor is on. */
  cursor: string | null;
  /** A prompt's history is shown: the group header has no History button. */
  inHistory: boolean;
  /** The token heat overlay's mode; undefined shows the chains by section. */
  heat?: HeatMode | undefined;
  /** Compare mode: the shown run's id and the comparison the rows come from. */
  comparing?: { shownId: string; comparison: ViewerComparison } | undefined;
}

export const chainKey = (entryKey: string, sample: number): string => `${entryKey}/${sample}`;
export const promptKey = (entryKey: string): string => `prompt:${entryKey}`;

const models = new WeakMap<RolloutSample, ChainModel>();

export function modelOf(sample: RolloutSample): ChainModel {
  let model = models.get(sample);
  if (!model) {
    model = buildChainModel(sample.text, sample.rewards);
    models.set(sample, model);
  }
  return model;
}

export const formatNumber = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(3));
const signed = (x: number): string => (x > 0 ? `+${formatNumber(x)}` : formatNumber(x));
const sign = (x: number): string => (x > 1e-9 ? 'positive' : x < -1e-9 ? 'negative' : 'zero');

function tipsOf(segs: readonly Segment[], sample: RolloutSample): string[] {
  const tips: string[] = [];
  for (const k of new Set(segs.flatMap((s) => s.keySteps))) tips.push(`key step ${k + 1}: ${sample.rewards.key_steps[k]?.text ?? ''}`);
  for (const v of new Set(segs.flatMap((s) => s.violations))) {
    const violation = sample.rewards.violations[v];
    if (violation) tips.push(`${violation.code}: ${violation.message}`);
  }
  return tips;
}

function classesOf(segs: readonly Segment[]): string {
  const key = segs.some((s) => s.keySteps.length);
  const viol = segs.some((s) => s.violations.length);
  return [key ? 'ks' : '', viol ? 'viol' : '', segs.length === 1 && segs[0]!.text === '' ? 'viol-point' : ''].filter(Boolean).join(' ');
}

/** `text` (which starts at chain offset `at`) with the search hits inside it wrapped in <mark>. */
function withHits(text: string, at: number, hits: readonly [number, number][]): Child[] {
  const out: Child[] = [];
  let from = 0;
  for (const [a, b] of hits) {
    const start = Math.max(a - at, from);
    const end = Math.min(b - at, text.length);
    if (end <= start) continue;
    if (start > from) out.push(text.slice(from, start));
    out.push(h('mark', { class: 'hit' }, text.slice(start, end)));
    from = end;
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}

function textNode(seg: Segment, sample: RolloutSample, hits: readonly [number, number][], limit: number): Child {
  const text = seg.end > limit ? seg.text.slice(0, Math.max(0, limit - seg.start)) : seg.text;
  const inside = hits.length ? withHits(text, seg.start, hits) : [text];
  if (seg.keySteps.length === 0 && seg.violations.length === 0) return inside.length === 1 ? inside[0] : h('span', {}, ...inside);
  return h(
    'span',
    { class: classesOf([seg]), title: tipsOf([seg], sample).join('\n'), 'data-start': String(seg.start), 'data-end': String(seg.end) },
    ...(seg.text === '' ? ['⚠'] : inside),
  );
}

/** A formula rendered by KaTeX, inside the highlight its segments carry; its source when KaTeX refuses it. */
function mathNode(region: MathRegion, segs: readonly Segment[], sample: RolloutSample, hits: readonly [number, number][]): Child {
  const rendered = renderMath(region.tex, region.display);
  const hit = hits.some(([a, b]) => a < region.end && b > region.start);
  const classes = [classesOf(segs), 'math', hit ? 'hit' : ''].filter(Boolean).join(' ');
  const source = sample.text.slice(region.start, region.end);
  const tips = [source, ...tipsOf(segs, sample)];
  return h('span', { class: classes, title: tips.join('\n'), 'data-start': String(region.start), 'data-end': String(region.end) }, rendered ?? source);
}

export function segmentsView(segs: readonly Segment[], model: ChainModel, sample: RolloutSample, hits: readonly [number, number][], limit = Infinity): Child[] {
  const out: Child[] = [];
  for (const piece of pieces(segs, model.math)) {
    if (piece.kind === 'text') {
      if (piece.segment.start >= limit && piece.segment.text !== '') break;
      out.push(textNode(piece.segment, sample, hits, limit));
    } else {
      // A formula is shown whole or not at all.
      if (piece.region.end > limit) break;
      out.push(mathNode(piece.region, piece.segments, sample, hits));
    }
  }
  return out;
}

/** Where a chain sits: its group row's key, the group's index in its step, and the step. */
interface ChainPlace {
  entryKey: string;
  group: number;
  step: number;
  /** The chain is the compared run's (compare mode): Open in Editor asks for it there. */
  compared?: boolean;
}

function chainHead(sample: RolloutSample, index: number, place: ChainPlace, hits: number): HTMLElement {
  const r = sample.rewards;
  const badge = r.answer_correct
    ? h('span', { class: 'badge ok', title: `answer ${r.answer ?? ''} is correct` }, '✓')
    : h('span', { class: 'badge bad', title: r.answer === null ? 'no final answer' : `answer ${r.answer} is wrong` }, '✗');
  return h(
    'div',
    { class: 'chain-head' },
    badge,
    h('span', { class: 'chain-index' }, `#${index + 1}`),
    h('span', { class: 'metric', title: 'total reward' }, `total ${formatNumber(r.total)}`),
    h('span', { class: 'metric', title: 'StepRAR reward (answer + key steps)' }, `r_acc ${formatNumber(r.r_acc)}`),
    h('span', { class: `metric ${r.validity === 1 ? 'valid' : 'invalid'}`, title: 'StepRVR reward (structure and logic)' }, `r_val ${formatNumber(r.r_val)}`),
    h('span', { class: 'metric', title: 'matched key steps' }, `keys ${r.key_steps.filter((k) => k.matched).length}/${r.key_steps.length}`),
    h('span', { class: `advantage ${sign(sample.advantage)}`, title: 'group-relative advantage' }, `A ${signed(sample.advantage)}`),
    h('span', { class: 'metric', title: 'completion length in tokens' }, `${sample.tokens} tok`),
    sample.engine ? engineView(sample.engine) : null,
    hits ? h('span', { class: 'hit-count', title: 'search hits in this chain' }, `${hits} hit${hits > 1 ? 's' : ''}`) : null,
    h(
      'button',
      {
        class: 'open-editor',
        type: 'button',
        title: 'Open this chain in an editor, its reference in front matter, so the inline annotations score it',
        'data-step': String(place.step),
        'data-group': String(place.group),
        'data-sample': String(index),
        ...(place.compared ? { 'data-compared': '1' } : {}),
      },
      'Open in Editor',
    ),
  );
}

function chainClasses(key: string, hits: number, ctx: ViewContext, extra = ''): string {
  return ['chain', extra, hits ? 'hit-chain' : '', ctx.current === key ? 'current-hit' : '', ctx.cursor === key ? 'cursor' : ''].filter(Boolean).join(' ');
}

function chainView(sample: RolloutSample, index: number, place: ChainPlace, ctx: ViewContext): HTMLElement {
  const r = sample.rewards;
  const model = modelOf(sample);
  const key = chainKey(place.entryKey, index);
  const long = sample.text.length > COLLAPSE_CHARS;
  const collapsed = long && !ctx.expanded.has(key);
  const limit = collapsed ? COLLAPSE_CHARS : Infinity;
  const hits = findHits(sample.text, ctx.needle);
  const sections = model.sections.map((s) => {
    const header = segmentsView(s.header, model, sample, hits, limit);
    const body = segmentsView(s.body, model, sample, hits, limit);
    if (!header.length && !body.length) return null;
    return h('div', { class: `section section-${s.kind}` }, header.length ? h('div', { class: 'section-header' }, ...header) : null, h('div', { class: 'section-body' }, ...body));
  });
  const hiddenHits = collapsed ? hits.filter(([a]) => a >= COLLAPSE_CHARS).length : 0;
  const more = collapsed
    ? h(
        'button',
        { class: 'show-all', type: 'button', 'data-expand': key },
        `Show all (${sample.text.length.toLocaleString('en-US')} characters${hiddenHits ? `, ${hiddenHits} more search hit${hiddenHits > 1 ? 's' : ''}` : ''})`,
      )
    : long
      ? h('button', { class: 'show-less', type: 'button', 'data-collapse': key }, 'Show less')
      : null;
  const missing = model.missingKeySteps.length ? h('div', { class: 'missing' }, h('span', { class: 'label' }, 'Missing key steps: '), model.missingKeySteps.join(' · ')) : null;
  const violations = r.violations.length
    ? h('ul', { class: 'violations' }, ...r.violations.map((v) => h('li', { title: v.message }, h('code', {}, v.code), ` ${v.message}`)))
    : null;
  const heat = ctx.heat ? tokenHeatView(sample, ctx.heat) : undefined;
  return h(
    'article',
    { class: chainClasses(key, hits.length, ctx), 'data-chain': String(index), 'data-chain-key': key },
    chainHead(sample, index, place, hits.length),
    h('div', { class: 'sections' }, ...(heat ? [heat] : ctx.heat ? [noTokenHeat(), ...sections] : sections)),
    more,
    missing,
    violations,
  );
}

/**
 * The aligned layout: one column per chain, one row per `### Step k` and the answer, each cell
 * the chain's section with its key-step matches in place; the divergence row is marked.
 */
function alignedView(row: Row, ctx: ViewContext): HTMLElement {
  const { group, step, index: groupIndex, key: entryKey } = row.entry;
  const samples = row.chains.map((i) => group.samples[i]!);
  const models = samples.map(modelOf);
  const alignment = alignChains(samples.map((s, i) => ({ model: models[i]!, correct: s.rewards.answer_correct })));
  const place = { entryKey, group: groupIndex, step };
  const heads = row.chains.map((i, c) => {
    const key = chainKey(entryKey, i);
    const hits = findHits(samples[c]!.text, ctx.needle).length;
    return h('div', { class: `${chainClasses(key, hits, ctx, 'aligned-head')}`, 'data-chain': String(i), 'data-chain-key': key }, chainHead(samples[c]!, i, place, hits));
  });
  const cells = alignment.rows.flatMap((aligned, r) => {
    const diverges = r === alignment.divergence;
    const label = h(
      'div',
      { class: `aligned-label${diverges ? ' diverge' : ''}`, title: diverges ? 'The right and the wrong chains part here: their matched key steps differ from this row on' : '' },
      aligned.label,
      diverges ? h('span', { class: 'diverge-mark' }, ' ⟂ parts here') : null,
    );
    return [
      label,
      ...aligned.cells.map((cell, c) => {
        const sample = samples[c]!;
        const model = models[c]!;
        if (cell.section === null) return h('div', { class: `aligned-cell empty${diverges ? ' diverge' : ''}` }, '—');
        const section = model.sections[cell.section]!;
        const hits = findHits(sample.text, ctx.needle);
        const keys = cell.keySteps.length ? h('div', { class: 'cell-keys', title: 'key steps matched in this row' }, `✓ key ${cell.keySteps.map((k) => k + 1).join(', ')}`) : null;
        return h('div', { class: `aligned-cell${diverges ? ' diverge' : ''}` }, keys, h('div', { class: 'section-body' }, ...segmentsView(section.body, model, sample, hits)));
      }),
    ];
  });
  const grid = h('div', { class: 'aligned', role: 'table', 'aria-label': 'chains aligned by step' }, h('div', { class: 'aligned-label corner' }, ''), ...heads, ...cells);
  grid.style.gridTemplateColumns = `6em repeat(${samples.length}, minmax(160px, 1fr))`;
  return grid;
}

/** One side's numbers in compare mode: mean total, right answers, key-step recall, over the whole group. */
function sideSummary(samples: readonly RolloutSample[]): string {
  const n = Math.max(1, samples.length);
  const mean = samples.reduce((a, s) => a + s.rewards.total, 0) / n;
  const right = samples.filter((s) => s.rewards.answer_correct).length;
  const keys = samples.reduce((a, s) => a + s.rewards.key_steps.length, 0);
  const matched = samples.reduce((a, s) => a + s.rewards.key_steps.filter((k) => k.matched).length, 0);
  return `mean total ${formatNumber(mean)} · answers ✓ ${right}/${samples.length}${keys ? ` · key steps ${((100 * matched) / keys).toFixed(0)} %` : ''}`;
}

/** One column of compare mode: the run, its step and numbers, then its chains that pass (or why there are none). */
function compareColumn(side: 'shown' | 'compared', row: CompareRow, ctx: ViewContext): HTMLElement {
  const { comparison, shownId } = ctx.comparing!;
  const { entry, passing } = row.sides[side];
  const runId = side === 'shown' ? shownId : comparison.run.id;
  const step = entry?.step ?? (side === 'shown' ? comparison.shownStep : comparison.step);
  const nearest =
    side === 'compared' && row.pair.at === 'nearest'
      ? h('span', { class: 'compare-note', title: `${runId} did not sample this prompt at step ${comparison.step}` }, `nearest step that sampled it (aligned: ${comparison.step})`)
      : null;
  const why = !entry
    ? side === 'shown'
      ? `${runId} has no group of this prompt at step ${comparison.shownStep}.`
      : `${runId} never sampled this prompt.`
    : passing
      ? null
      : 'No chain passes the filters.';
  return h(
    'div',
    { class: `compare-col ${side}`, 'data-side': side },
    h(
      'div',
      { class: 'compare-col-head' },
      h('span', { class: 'compare-run', title: runId }, runId),
      h('span', { class: 'step' }, `step ${step}`),
      nearest,
      entry ? h('span', { class: 'metric' }, sideSummary(entry.group.samples)) : null,
    ),
    why ? h('div', { class: 'compare-empty' }, why) : null,
    ...(passing
      ? passing.chains.map((i) =>
          chainView(passing.entry.group.samples[i]!, i, { entryKey: passing.entry.key, group: passing.entry.index, step: passing.entry.step, compared: side === 'compared' }, ctx),
        )
      : []),
  );
}

/** Compare mode: the shown run's group and the compared run's group of the same prompt, in two columns. */
function compareView(row: CompareRow, ctx: ViewContext): HTMLElement {
  return h('div', { class: 'compare-cols' }, compareColumn('shown', row, ctx), compareColumn('compared', row, ctx));
}

/** What the training engine itself reported for an imported sample, beside the rescored rewards. */
function engineView(engine: Record<string, number>): HTMLElement {
  const entries = Object.entries(engine);
  const text = entries.map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ');
  return h('span', { class: 'metric engine', title: `reported by the training engine (not rescored): ${text}` }, `engine: ${text}`);
}

export function groupView(row: Row, ctx: ViewContext): HTMLElement {
  const { group, step } = row.entry;
  const samples = group.samples;
  const mean = samples.reduce((a, s) => a + s.rewards.total, 0) / Math.max(1, samples.length);
  const keySteps = group.reference.keySteps.map((k) => (Array.isArray(k) ? k.join(' | ') : k));
  const image =
    group.image && 'dataUri' in group.image && group.image.dataUri.startsWith('data:image/')
      ? h('img', { class: 'prompt-image', src: group.image.dataUri, alt: 'prompt image' })
      : null;
  const pKey = promptKey(row.entry.key);
  const longPrompt = group.prompt.length > PROMPT_COLLAPSE_CHARS;
  const promptShown = longPrompt && !ctx.expanded.has(pKey) ? `${group.prompt.slice(0, PROMPT_COLLAPSE_CHARS)}…` : group.prompt;
  const promptToggle = longPrompt
    ? ctx.expanded.has(pKey)
      ? h('button', { class: 'show-less', type: 'button', 'data-collapse': pKey }, 'Show less')
      : h('button', { class: 'show-all', type: 'button', 'data-expand': pKey }, `Show full prompt (${group.prompt.length.toLocaleString('en-US')} characters)`)
    : null;
  const place = { entryKey: row.entry.key, group: row.entry.index, step };
  return h(
    'section',
    { class: 'group', 'data-key': row.entry.key, 'data-prompt-id': group.promptId },
    h(
      'header',
      { class: 'group-head' },
      h('span', { class: 'step' }, `step ${step}`),
      h('span', { class: 'prompt-id', title: group.promptId }, group.promptId),
      h('span', { class: 'count' }, `${row.chains.length}/${samples.length} chains`),
      h('span', { class: 'metric' }, `mean total ${formatNumber(mean)}`),
      row.entry.zeroSpread ? h('span', { class: 'metric zero-spread', title: 'every chain got the same total reward: no learning signal from this group' }, 'zero spread') : null,
      ctx.inHistory ? null : h('button', { class: 'history', type: 'button', title: 'This prompt across every step', 'data-prompt-id': group.promptId }, 'History'),
    ),
    h(
      'div',
      { class: 'group-info' },
      image,
      h(
        'div',
        { class: 'prompt-block' },
        h('div', { class: 'prompt' }, promptShown),
        promptToggle,
        h('div', { class: 'reference' }, h('span', { class: 'label' }, 'Reference answer: '), group.reference.answer),
        keySteps.length ? h('ol', { class: 'key-steps' }, ...keySteps.map((k) => h('li', {}, k))) : null,
      ),
    ),
    isCompareRow(row) && ctx.comparing
      ? compareView(row, ctx)
      : ctx.layout === 'aligned'
        ? alignedView(row, ctx)
        : h('div', { class: `chains ${ctx.layout}` }, ...row.chains.map((i) => chainView(samples[i]!, i, place, ctx))),
  );
}
