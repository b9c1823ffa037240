// Rollout viewer webview (DESIGN §9). The host owns the state (run, step, filters, sort, layout,
// the prompt whose history is shown) and replays it after `ready`; this page renders the groups of
// the selected step, or of one prompt across steps, in a virtualised list and reports every control
// change back to the host. Filtering and flag counting run in time slices (a keystroke never holds
// a frame); search marks its hits and steps through them; the keyboard drives it all (keyboard.ts).
import { HACK_FLAG_LABELS, HACK_FLAGS, type HackFlag } from '../../src/core/reward-hacking';
import type { PromptHistoryPoint } from '../../src/core/prompt-history';
import type { RolloutGroup } from '../../src/protocol/trainer-messages';
import {
  parseHostToViewer,
  SORT_KEYS,
  type HistoryGroup,
  type HostToViewer,
  type SortKey,
  type ViewerComparison,
  type ViewerFilters,
  type ViewerLayout,
  type ViewerState,
  type ViewerToHost,
  defaultViewerState,
} from '../../src/protocol/viewer-messages';
import { h } from '../shared/dom';
import { button, checkbox, dropdown, registerToolkit, textField } from '../shared/toolkit';
import { afterNextFrame } from '../shared/frame';
import { connect } from '../shared/vscode-api';
import { alignChains } from './alignment';
import { compareRows, comparedEntry, comparisonLines, isCompareRow } from './compare-rows';
import { engineFields, filterRows, makeGroupEntry, sortRows, violationCodes, type GroupEntry, type Row } from './filters';
import { countFlagsSliced, filterRowsSliced } from './sliced-filters';
import { chainKey, groupView, modelOf, type ViewContext } from './group-view';
import { historyChart } from './history-chart';
import { cycle, KEY_BINDINGS, keyAction, moveCursor, type KeyAction } from './keyboard';
import { describeRun, emptyListText, phaseBanner } from './run-banner';
import { HEAT_MODES, type HeatMode } from './token-heat';
import { mergeAppends } from './incoming';
import { RenderReport } from './render-report';
import { statusLine } from './status-line';
import { VirtualList } from './virtual-list';
import { warmUp } from './warm-up';

registerToolkit();
const channel = connect<HostToViewer, ViewerToHost>(parseHostToViewer);

let state: ViewerState = defaultViewerState();
/** What the panel restores after a window reload (the serializer reads it): the run it shows. */
let persisted: { run?: { id: string; dir: string }; compare?: { id: string; dir: string } } = {};
let steps: number[] = [];
let entries: GroupEntry[] = [];
let codes = new Set<string>();
let shownChains = 0;
let rows: Row[] = [];
/** The filters `rows` were made with (a refilter in flight has newer ones in `state`). */
let rowsFilters = state.filters;
/** What the list shows: a step's groups, or the history of one prompt (its chart points). */
let history: { promptId: string; points: PromptHistoryPoint[] } | null = null;
let engineKeys: string[] = [];
let flagCounts: Record<HackFlag, number> | null = null;
let countRun = 0;
/** The keyboard cursor: a row of `rows` and a chain of it. */
let cursor: { row: number; chain: number } | null = null;
/** Long chains and prompts the user expanded, by chainKey / promptKey; kept while the run is shown. */
const expanded = new Set<string>();
/** Where next/previous stands: an index into the matching chains of `rows`. */
let hitIndex = -1;
let currentHit: string | null = null;
/** Bumped by every refilter: a slower, older one gives up. */
let filterRun = 0;
let filtering = false;

/** The token heat overlay's mode (page-local: a view choice, not run state). */
let heat: HeatMode | undefined;
/** Compare mode: the compared run's groups beside the shown step's, and their entries (one per pair). */
let comparison: ViewerComparison | null = null;
let comparedEntries: (GroupEntry | null)[] = [];

/** The comparison that applies to what is shown: compare mode, a step (not a history), its pairs for this step. */
function activeComparison(): ViewerComparison | null {
  return state.compare && history === null && comparison && comparison.shownStep === currentStep() ? comparison : null;
}

const cursorKey = (): string | null => {
  const row = cursor && rows[cursor.row];
  return row ? chainKey(row.entry.key, row.chains[cursor!.chain] ?? row.chains[0]!) : null;
};
const ctx = (): ViewContext => ({
  layout: state.layout,
  needle: state.filters.search.trim().toLowerCase(),
  expanded,
  current: currentHit,
  cursor: cursorKey(),
  inHistory: history !== null,
  heat,
  comparing: activeComparison() && state.run ? { shownId: state.run.id, comparison: activeComparison()! } : undefined,
});

const runLabel = h('span', { class: 'run-label', id: 'run-label' }, 'No run selected');
const status = h('span', { class: 'status', id: 'status' });
const banner = h('div', { class: 'banner', id: 'banner', hidden: '' });
const phase = h('div', { class: 'banner info phase', id: 'phase-banner', hidden: '' });
const hitLabel = h('span', { class: 'hit-label', id: 'hit-label' });
const stepLabel = h('span', { class: 'step-label', id: 'step-label' }, 'step —');
const slider = h('input', { type: 'range', min: '0', max: '0', value: '0', id: 'step-slider', 'aria-label': 'RL step' });
const follow = checkbox('Latest', (checked) => selectStep(checked ? 'latest' : (currentStep() ?? 'latest')));
const validity = dropdown('Validity (StepRVR)', (v) => setFilters({ validity: v as ViewerFilters['validity'] }));
const correctness = dropdown('Answer', (v) => setFilters({ correctness: v as ViewerFilters['correctness'] }));
const violation = dropdown('Violation code', (v) => setFilters({ violation: v === '' ? null : v }));
const LAYOUTS: readonly ViewerLayout[] = ['columns', 'stacked', 'aligned'];
const layout = dropdown('Layout', (v) => setLayout(LAYOUTS.find((l) => l === v) ?? 'columns'));
const SPREADS: readonly ViewerFilters['spread'][] = ['all', 'zero', 'nonzero'];
const spread = dropdown('Reward spread of the group', (v) => setFilters({ spread: SPREADS.find((x) => x === v) ?? 'all' }));
const flag = dropdown('Reward-hacking flag', (v) => setFilters({ flag: HACK_FLAGS.find((f) => f === v) ?? null }));
const sortKey = dropdown('Sort chains by', (v) => setSort(v === '' ? 'none' : (v as SortKey), state.sort.descending));
const sortOrder = button('↓', () => setSort(state.sort.key, !state.sort.descending));
sortOrder.id = 'sort-order';
/** A reward bound: empty is open; anything but a number is refused (the field says so). */
const bound = (label: string, set: (value: number | null) => void) => {
  const field = textField(label, (value) => {
    const text = value.trim();
    const n = text === '' ? null : Number(text);
    const bad = n !== null && !Number.isFinite(n);
    field.element.classList.toggle('invalid', bad);
    field.element.title = bad ? `${label}: "${text}" is not a number` : label;
    if (!bad) set(n);
  });
  field.element.classList.add('bound');
  return field;
};
const rewardMin = bound('min total', (v) => setFilters({ rewardMin: v }));
const rewardMax = bound('max total', (v) => setFilters({ rewardMax: v }));
const chips = h('span', { class: 'chips', id: 'chips' });
const historyBar = h('div', { class: 'history-bar', id: 'history-bar', hidden: '' });
const compareBar = h('div', { class: 'compare-bar', id: 'compare-bar', hidden: '' });
const compareButton = button('Compare with run…', () => channel.post({ type: 'pickCompare' }));
compareButton.id = 'compare-button';
compareButton.title = 'Show another run beside this one, step by step (c)';
const help = h(
  'div',
  { class: 'help', id: 'help', hidden: '' },
  h('div', { class: 'help-title' }, 'Keyboard (when the focus is not in a text field)'),
  h('dl', {}, ...KEY_BINDINGS.flatMap((b) => [h('dt', {}, h('kbd', {}, b.key === 'Escape' ? 'Esc' : b.key)), h('dd', {}, b.does)])),
);
const helpButton = button('?', () => toggleHelp());
helpButton.title = 'Keyboard shortcuts (?)';
helpButton.id = 'help-button';
let searchTimer: ReturnType<typeof setTimeout> | undefined;
const search = textField('Search chains', (value) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => setFilters({ search: value }), 150);
});
search.element.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') moveHit(e.shiftKey ? -1 : 1);
});
const prevHit = button('↑', () => moveHit(-1));
const nextHit = button('↓', () => moveHit(1));
prevHit.title = 'Previous match (Shift+Enter)';
nextHit.title = 'Next match (Enter)';
prevHit.id = 'prev-hit';
nextHit.id = 'next-hit';

validity.setChoices(
  [
    { value: 'all', label: 'Valid + invalid' },
    { value: 'valid', label: 'StepRVR valid' },
    { value: 'invalid', label: 'StepRVR invalid' },
  ],
  'all',
);
correctness.setChoices(
  [
    { value: 'all', label: 'Any answer' },
    { value: 'correct', label: 'Answer ✓' },
    { value: 'incorrect', label: 'Answer ✗' },
  ],
  'all',
);
layout.setChoices(
  [
    { value: 'columns', label: 'Side by side' },
    { value: 'stacked', label: 'Stacked' },
    { value: 'aligned', label: 'Aligned by step' },
  ],
  'columns',
);
spread.setChoices(
  [
    { value: 'all', label: 'All groups' },
    { value: 'zero', label: 'Zero reward spread (no signal)' },
    { value: 'nonzero', label: 'With reward spread' },
  ],
  'all',
);

const heatMode = dropdown('Token heat', (v) => setHeat(HEAT_MODES.find((m) => m.value === v)?.value || undefined));
heatMode.setChoices([...HEAT_MODES], '');

const scroller = h('div', { class: 'list', id: 'list', tabindex: '0' });
const list = new VirtualList<Row>({
  scroller,
  render: (row) => groupView(row, ctx()),
  // Expanded chains and prompts are taller: their rows are measured apart from the collapsed ones.
  key: (row) =>
    `${row.entry.key}/${row.chains.join(',')}/${state.layout}/${heat ?? ''}/${row.chains.filter((i) => expanded.has(chainKey(row.entry.key, i))).join('.')}/${expanded.has(`prompt:${row.entry.key}`)}`,
  estimate: (row) => (state.layout === 'stacked' ? 160 + 260 * row.chains.length : 460),
  // The overlay's spans exist once their rows are built: a changed count is reported then.
  onRendered: () => {
    // Heat spans are counted only while the overlay is on: a scroll frame need not query them.
    const heatOn = heat !== undefined;
    if (renderReport.afterFrame({ mounted: list.mountedCount, heatSpans: heatOn ? heatSpansOnScreen() : 0 }, heatOn)) reportRendered();
  },
});
const renderReport = new RenderReport();
const heatSpansOnScreen = (): number => scroller.querySelectorAll('.token-heat .heat').length;

function setHeat(next: HeatMode | undefined): void {
  heat = next;
  heatMode.setValue(next ?? '');
  refilter(true);
}

document.body.append(
  h(
    'div',
    { class: 'toolbar' },
    h(
      'div',
      { class: 'toolbar-row' },
      runLabel,
      button('Choose run…', () => channel.post({ type: 'pickRun' })),
      button('Prompt history…', () => channel.post({ type: 'pickPrompt' })),
      compareButton,
      status,
      helpButton,
    ),
    h(
      'div',
      { class: 'toolbar-row' },
      stepLabel,
      slider,
      follow.element,
      validity.element,
      correctness.element,
      violation.element,
      search.element,
      prevHit,
      nextHit,
      hitLabel,
      layout.element,
      heatMode.element,
    ),
    h('div', { class: 'toolbar-row' }, spread.element, rewardMin.element, rewardMax.element, flag.element, sortKey.element, sortOrder, chips),
  ),
  help,
  phase,
  banner,
  historyBar,
  compareBar,
  scroller,
);

// Buttons inside the (virtualised, re-rendered) rows: one listener for all of them.
scroller.addEventListener('click', (e) => {
  const target = (e.target as HTMLElement).closest('button');
  if (!target) return;
  const { expand, collapse, promptId } = target.dataset;
  if (target.classList.contains('open-editor')) {
    const { step, group, sample } = target.dataset;
    channel.post({ type: 'openInEditor', step: Number(step), group: Number(group), sample: Number(sample), compared: target.dataset.compared === '1' });
  } else if (expand || collapse) {
    const key = (expand ?? collapse)!;
    if (expand) expanded.add(key);
    else expanded.delete(key);
    const entryKey = key.startsWith('prompt:') ? key.slice('prompt:'.length) : key.slice(0, key.lastIndexOf('/'));
    list.rerender((row) => row.entry.key === entryKey);
  } else if (target.classList.contains('history') && promptId !== undefined) showHistory(promptId);
});

chips.addEventListener('click', (e) => {
  const clear = (e.target as HTMLElement).closest('button')?.dataset.clear;
  if (clear === 'promptId') setFilters({ promptId: null });
  else if (clear === 'keyStep') setFilters({ keyStep: null });
});
historyBar.addEventListener('click', (e) => {
  if ((e.target as HTMLElement).closest('button')?.classList.contains('back')) showHistory(null);
});
compareBar.addEventListener('click', (e) => {
  if ((e.target as HTMLElement).closest('button')?.classList.contains('leave')) channel.post({ type: 'endCompare' });
});

document.addEventListener('keydown', (e) => {
  const field = (e.target as HTMLElement).closest?.('vscode-text-field, input, textarea');
  const action = keyAction(e, !!field);
  if (!action) return;
  e.preventDefault();
  runKey(action);
});

slider.addEventListener('input', () => (stepLabel.textContent = `step ${steps[Number(slider.value)] ?? '—'}`));
slider.addEventListener('change', () => {
  const step = steps[Number(slider.value)];
  if (step !== undefined) selectStep(step);
});

function currentStep(): number | undefined {
  return state.step === 'latest' ? steps.at(-1) : state.step;
}

function selectStep(step: ViewerState['step']): void {
  state.step = step;
  // The host leaves a prompt's history for the step it is asked for.
  history = null;
  state.history = null;
  channel.post({ type: 'setStep', step });
  renderStepControls();
  renderHistoryBar();
}

function setFilters(change: Partial<ViewerFilters>): void {
  state.filters = { ...state.filters, ...change };
  channel.post({ type: 'setFilters', filters: state.filters });
  renderFilterControls();
  refilter(false);
}

function setSort(key: SortKey, descending: boolean): void {
  state.sort = { key, descending };
  channel.post({ type: 'setSort', sort: state.sort });
  renderSortControls();
  refilter(true);
}

function setLayout(next: ViewerLayout): void {
  state.layout = next;
  channel.post({ type: 'setLayout', layout: next });
  layout.setValue(next);
  refilter(true);
}

function showHistory(promptId: string | null): void {
  state.history = promptId;
  if (promptId === null) {
    history = null;
    renderHistoryBar();
  }
  channel.post({ type: 'showHistory', promptId });
}

function toggleHelp(): void {
  help.hidden = !help.hidden;
}

function stepBy(delta: 1 | -1): void {
  const at = steps.indexOf(currentStep() ?? -1);
  const next = steps[at < 0 ? (delta > 0 ? 0 : steps.length - 1) : at + delta];
  if (next !== undefined) selectStep(next === steps.at(-1) && state.step === 'latest' ? 'latest' : next);
}

function moveTo(by: 'chain' | 'row', delta: 1 | -1): void {
  const next = moveCursor(
    rows.map((r) => r.chains.length),
    cursor,
    by,
    delta,
  );
  if (!next) return;
  cursor = next;
  const key = cursorKey();
  for (const el of scroller.querySelectorAll('.chain.cursor')) el.classList.remove('cursor');
  list.scrollToRow(next.row, () => {
    const el = key ? scroller.querySelector(`[data-chain-key="${CSS.escape(key)}"]`) : null;
    el?.classList.add('cursor');
    el?.scrollIntoView({ block: 'nearest' });
  });
  reportRendered();
}

function runKey(action: KeyAction): void {
  const f = state.filters;
  switch (action) {
    case 'nextStep':
    case 'previousStep':
      return stepBy(action === 'nextStep' ? 1 : -1);
    case 'nextGroup':
    case 'previousGroup':
      return moveTo('row', action === 'nextGroup' ? 1 : -1);
    case 'nextChain':
    case 'previousChain':
      return moveTo('chain', action === 'nextChain' ? 1 : -1);
    case 'cycleValidity':
      return setFilters({ validity: cycle(['all', 'valid', 'invalid'] as const, f.validity) });
    case 'cycleAnswer':
      return setFilters({ correctness: cycle(['all', 'correct', 'incorrect'] as const, f.correctness) });
    case 'cycleSpread':
      return setFilters({ spread: cycle(SPREADS, f.spread) });
    case 'cycleFlag':
      return setFilters({ flag: cycle([null, ...HACK_FLAGS], f.flag) });
    case 'cycleSort':
      return setSort(cycle(sortKeys(), state.sort.key), state.sort.descending);
    case 'flipSortOrder':
      return setSort(state.sort.key, !state.sort.descending);
    case 'cycleLayout':
      return setLayout(cycle(LAYOUTS, state.layout));
    case 'cycleHeat':
      return setHeat(
        cycle(
          HEAT_MODES.map((m) => m.value),
          heat ?? '',
        ) || undefined,
      );
    case 'history': {
      const row = rows[cursor?.row ?? 0];
      if (row) showHistory(row.entry.group.promptId);
      return;
    }
    case 'back':
      if (!help.hidden) help.hidden = true;
      else if (state.history !== null) showHistory(null);
      else if (f.promptId !== null || f.keyStep !== null) setFilters({ promptId: null, keyStep: null });
      else if (state.compare) channel.post({ type: 'endCompare' });
      return;
    case 'compare':
      channel.post({ type: 'pickCompare' });
      return;
    case 'search':
      // After this key's own text input: focused now, the field would receive the "/".
      setTimeout(() => (search.element as HTMLElement).focus(), 0);
      return;
    case 'help':
      return toggleHelp();
  }
}

const SORT_LABELS: Record<(typeof SORT_KEYS)[number], string> = {
  none: 'Unsorted (by group)',
  total: 'Sort: total reward',
  advantage: 'Sort: advantage',
  length: 'Sort: length (tokens)',
  r_acc: 'Sort: r_acc (StepRAR)',
  r_val: 'Sort: r_val (StepRVR)',
  key_step_ratio: 'Sort: key-step ratio',
};

function sortKeys(): SortKey[] {
  return [...SORT_KEYS, ...engineKeys.map((k): SortKey => `engine:${k}`)];
}

function renderSortControls(): void {
  sortKey.setChoices(
    sortKeys().map((k) => ({ value: k, label: k.startsWith('engine:') ? `Sort: ${k} (reported)` : SORT_LABELS[k as (typeof SORT_KEYS)[number]] })),
    state.sort.key,
  );
  sortOrder.textContent = state.sort.descending ? '↓' : '↑';
  sortOrder.title = state.sort.descending ? 'Highest first (o flips)' : 'Lowest first (o flips)';
}

function renderFlagChoices(): void {
  const count = (f: HackFlag) => (flagCounts ? ` (${flagCounts[f]})` : '');
  flag.setChoices([{ value: '', label: 'Any flag' }, ...HACK_FLAGS.map((f) => ({ value: f, label: `${HACK_FLAG_LABELS[f]}${count(f)}` }))], state.filters.flag ?? '');
}

function renderFilterControls(): void {
  validity.setValue(state.filters.validity);
  correctness.setValue(state.filters.correctness);
  spread.setValue(state.filters.spread);
  violation.setValue(state.filters.violation ?? '');
  flag.setValue(state.filters.flag ?? '');
  const k = state.filters.keyStep;
  chips.replaceChildren(
    ...(state.filters.promptId !== null
      ? [h('span', { class: 'chip' }, `prompt ${state.filters.promptId} `, h('button', { type: 'button', 'data-clear': 'promptId', title: 'Show every prompt (Esc)' }, '✕'))]
      : []),
    ...(k !== null
      ? [
          h(
            'span',
            { class: 'chip' },
            `key step ${k.index + 1} ${k.matched ? 'matched' : 'missed'} `,
            h('button', { type: 'button', 'data-clear': 'keyStep', title: 'Any key step (Esc)' }, '✕'),
          ),
        ]
      : []),
  );
}

function renderHistoryBar(): void {
  historyBar.hidden = history === null;
  if (!history) {
    historyBar.replaceChildren();
    return;
  }
  const last = history.points.at(-1);
  historyBar.replaceChildren(
    h(
      'div',
      { class: 'history-title' },
      h('span', { class: 'label' }, 'History of prompt '),
      h('span', { class: 'prompt-id', title: history.promptId }, history.promptId),
      ` · ${history.points.length} step${history.points.length === 1 ? '' : 's'}`,
      last ? ` · last: answers ${(last.answerRate * 100).toFixed(0)} %, key steps ${(last.keyStepRecall * 100).toFixed(0)} %, reward ${last.meanReward.toFixed(3)}` : '',
      h('button', { class: 'back', type: 'button', title: 'Back to the step (Esc)' }, '← Back to the step'),
    ),
    h(
      'div',
      { class: 'legend' },
      h('span', { class: 'answer' }, '— answer rate'),
      h('span', { class: 'recall' }, '— key-step recall'),
      h('span', { class: 'reward' }, '— mean reward'),
    ),
    historyChart(history.points),
  );
}

function renderCompareBar(): void {
  const shownId = state.run?.id;
  compareBar.hidden = !state.compare || !shownId || history !== null;
  // Compare mode shows each run's chains stacked in its column, by group: the sort and the layout wait.
  for (const control of [sortKey.element, sortOrder, layout.element]) {
    if (state.compare) control.setAttribute('disabled', '');
    else control.removeAttribute('disabled');
    control.title = state.compare ? 'Not used in compare mode (each run’s chains are stacked in its column)' : '';
  }
  if (compareBar.hidden || !state.compare || !shownId) {
    compareBar.replaceChildren();
    return;
  }
  const c = activeComparison();
  const lines = c ? comparisonLines(c, shownId) : null;
  compareBar.replaceChildren(
    h(
      'div',
      { class: 'compare-title' },
      h('span', { class: 'label' }, 'Comparing '),
      h('span', { class: 'compare-run', title: state.run?.dir ?? '' }, shownId),
      h('span', { class: 'label' }, ' (left) with '),
      h('span', { class: 'compare-run', title: state.compare.dir }, state.compare.id),
      ` (${describeRun(c?.run ?? state.compare)}, right)`,
      h('button', { class: 'leave', type: 'button', title: 'Back to one run (Esc)' }, '✕ Leave compare'),
    ),
    h('div', { class: 'compare-steps' }, lines ? `${lines.title} · ${lines.counts}` : `Reading ${state.compare.id}…`),
    ...(lines?.missing ? [h('div', { class: 'compare-missing', id: 'compare-missing' }, lines.missing)] : []),
  );
}

function renderStepControls(): void {
  const step = currentStep();
  slider.max = String(Math.max(0, steps.length - 1));
  slider.value = String(Math.max(0, step === undefined ? 0 : steps.indexOf(step)));
  (slider as HTMLInputElement).disabled = steps.length < 2;
  stepLabel.textContent = step === undefined ? 'step —' : `step ${step}`;
  follow.setChecked(state.step === 'latest');
}

function renderViolationChoices(): void {
  const choices = [{ value: '', label: 'Any violation' }, ...[...codes].sort().map((c) => ({ value: c, label: c }))];
  violation.setChoices(choices, state.filters.violation ?? '');
}

function renderStatus(): void {
  const c = activeComparison();
  status.textContent = statusLine({
    rows,
    entries,
    sorted: state.sort.key !== 'none',
    compare: c && state.run ? { compared: comparedEntries, ids: { shown: state.run.id, compared: c.run.id } } : undefined,
  });
  const empty = emptyListText({ loaded: entries.length, shown: rows.length, history: history?.promptId ?? null, step: currentStep() ?? null, hasRun: state.run !== null });
  scroller.dataset.empty = empty ?? '';
  scroller.classList.toggle('empty', empty !== null);
  const searching = state.filters.search.trim() !== '';
  hitLabel.textContent = searching ? (hitIndex >= 0 ? `match ${hitIndex + 1} of ${shownChains}` : `${shownChains} matching chain${shownChains === 1 ? '' : 's'}`) : '';
  for (const b of [prevHit, nextHit]) (b as HTMLButtonElement).disabled = !searching || shownChains === 0;
}

function renderRun(): void {
  runLabel.textContent = state.run ? `${state.run.id} (${describeRun(state.run)})` : 'No run selected';
  runLabel.title = state.run?.dir ?? '';
  const text = state.run ? phaseBanner(state.run, steps.length) : null;
  phase.hidden = text === null;
  phase.textContent = text ?? '';
}

/** Filters in slices of a few milliseconds, then shows the rows once; a newer refilter cancels this one. */
function refilter(layoutChanged: boolean): void {
  const run = ++filterRun;
  const filters = state.filters;
  hitIndex = -1;
  currentHit = null;
  filtering = true;
  const c = activeComparison();
  // Compare mode on a step whose pairs have not come yet: the host posts them right after the step.
  if (state.compare && history === null && !c) return;
  const filtered = c
    ? Promise.resolve(compareRows(c.pairs, entries, comparedEntries, filters))
    : filterRowsSliced(entries, filters, () => run !== filterRun).then((result) => result && sortRows(result, state.sort));
  void filtered.then((result) => {
    if (!result || run !== filterRun) return;
    filtering = false;
    rows = result;
    rowsFilters = filters;
    shownChains = rows.reduce((a, r) => a + r.chains.length, 0);
    cursor = null;
    list.setRows(rows, layoutChanged);
    renderStatus();
    reportRendered();
  });
}

/** Counts the flags of the loaded chains in slices, then shows them in the flag filter. */
function recount(): void {
  const run = ++countRun;
  flagCounts = null;
  void countFlagsSliced(entries, () => run !== countRun).then((counts) => {
    if (!counts || run !== countRun) return;
    flagCounts = counts;
    renderFlagChoices();
    // A filter still running reports when it ends (with these counts); its rows are not known yet.
    if (!filtering) reportRendered();
  });
}

/** Tells the host what is shown (its snapshot; the tests read it). */
function reportRendered(): void {
  const first = rows.slice(0, 20);
  const onScreen = { mounted: list.mountedCount, heatSpans: heatSpansOnScreen() };
  renderReport.reported(onScreen);
  channel.post({
    type: 'rendered',
    rendered: {
      mode: history ? 'history' : activeComparison() ? 'compare' : 'step',
      layout: state.layout,
      rows: rows.length,
      chains: shownChains,
      loaded: entries.length,
      first: first.flatMap((r) => r.chains.map((i) => chainKey(r.entry.key, i))).slice(0, 40),
      flagCounts: flagCounts ?? {},
      divergence:
        state.layout === 'aligned'
          ? first.slice(0, 5).map((r) => {
              const samples = r.chains.map((i) => r.entry.group.samples[i]!);
              const a = alignChains(samples.map((s) => ({ model: modelOf(s), correct: s.rewards.answer_correct })));
              return a.divergence === null ? null : a.rows[a.divergence]!.label;
            })
          : [],
      historySteps: history?.points.length ?? 0,
      cursor: cursorKey(),
      heat: heat ?? null,
      heatSpans: onScreen.heatSpans,
      mounted: onScreen.mounted,
      filters: rowsFilters,
      compared: first
        .flatMap((r) => {
          const side = isCompareRow(r) ? r.sides.compared.passing : null;
          return side ? side.chains.map((i) => chainKey(side.entry.key, i)) : [];
        })
        .slice(0, 40),
    },
  });
}

/** Next (+1) or previous (−1) matching chain: scrolls its row into view and marks it. */
function moveHit(delta: number): void {
  if (state.filters.search.trim() === '' || shownChains === 0) return;
  hitIndex = (hitIndex + delta + shownChains) % shownChains;
  let left = hitIndex;
  let rowIndex = 0;
  while (left >= rows[rowIndex]!.chains.length) left -= rows[rowIndex++]!.chains.length;
  const row = rows[rowIndex]!;
  currentHit = chainKey(row.entry.key, row.chains[left]!);
  for (const el of scroller.querySelectorAll('.current-hit')) el.classList.remove('current-hit');
  list.scrollToRow(rowIndex, () => {
    const el = scroller.querySelector(`[data-chain-key="${CSS.escape(currentHit!)}"]`);
    el?.classList.add('current-hit');
    el?.querySelector('mark.hit, .math.hit')?.scrollIntoView({ block: 'center' });
  });
  renderStatus();
}

function addEntries(fresh: GroupEntry[], append: boolean): void {
  const before = codes.size;
  for (const c of violationCodes(fresh)) codes.add(c);
  if (codes.size !== before) renderViolationChoices();
  const engines = engineFields(append ? [...entries, ...fresh] : fresh);
  if (engines.join() !== engineKeys.join()) {
    engineKeys = engines;
    renderSortControls();
  }
  if (append && state.sort.key === 'none' && !activeComparison()) {
    entries.push(...fresh);
    recount();
    // A refilter in flight reads `entries` to its end and will include these.
    if (filtering) return;
    const added = filterRows(fresh, state.filters);
    rows.push(...added);
    shownChains += added.reduce((a, r) => a + r.chains.length, 0);
    list.appendRows(added);
    renderStatus();
    reportRendered();
  } else {
    // Sorted, a live append reorders the whole list.
    entries = append ? [...entries, ...fresh] : fresh;
    recount();
    refilter(false);
  }
}

function showGroups(step: number, groups: RolloutGroup[], append: boolean): void {
  if (history) return;
  const start = append ? entries.length : 0;
  addEntries(
    groups.map((g, i) => makeGroupEntry(step, start + i, g)),
    append,
  );
}

function showHistoryGroups(promptId: string, points: PromptHistoryPoint[], groups: HistoryGroup[], append: boolean): void {
  const start = append ? entries.length : 0;
  if (!append) {
    history = { promptId, points };
    state.history = promptId;
    renderHistoryBar();
  } else if (history?.promptId !== promptId) return;
  addEntries(
    groups.map((g, i) => makeGroupEntry(g.step, g.index, g.group, `${g.step}:${g.index}#${start + i}`)),
    append,
  );
}

function applyState(next: ViewerState): void {
  state = next;
  entries = [];
  codes = new Set();
  history = null;
  renderHistoryBar();
  if (next.run?.dir !== persisted.run?.dir) expanded.clear();
  persisted = next.run ? { run: { id: next.run.id, dir: next.run.dir }, ...(next.compare ? { compare: { id: next.compare.id, dir: next.compare.dir } } : {}) } : {};
  if (next.compare?.dir !== comparison?.run.dir) {
    comparison = null;
    comparedEntries = [];
  }
  channel.persist(persisted);
  renderRun();
  layout.setValue(next.layout);
  search.setValue(next.filters.search);
  rewardMin.setValue(next.filters.rewardMin === null ? '' : String(next.filters.rewardMin));
  rewardMax.setValue(next.filters.rewardMax === null ? '' : String(next.filters.rewardMax));
  renderViolationChoices();
  renderFlagChoices();
  renderSortControls();
  renderFilterControls();
  renderStepControls();
  renderCompareBar();
  banner.hidden = true;
  refilter(true);
}

function showComparison(next: ViewerComparison): void {
  comparison = next;
  comparedEntries = next.pairs.map(comparedEntry);
  const before = codes.size;
  for (const c of violationCodes(comparedEntries.filter((e) => e !== null))) codes.add(c);
  if (codes.size !== before) renderViolationChoices();
  renderCompareBar();
  refilter(true);
}

function handle(message: HostToViewer): void {
  switch (message.type) {
    case 'state':
      steps = message.steps;
      applyState(message.state);
      break;
    case 'run':
      if (state.run?.id === message.run.id) {
        state.run = message.run;
        renderRun();
      }
      break;
    case 'steps':
      steps = message.steps;
      renderStepControls();
      renderRun();
      break;
    case 'rollouts':
      showGroups(message.step, message.groups, message.append);
      break;
    case 'history':
      showHistoryGroups(message.promptId, message.points, message.groups, message.append);
      break;
    case 'compare':
      showComparison(message.comparison);
      break;
    case 'notice':
      banner.hidden = false;
      banner.className = `banner ${message.level}`;
      banner.textContent = message.message;
      break;
  }
}

/**
 * Appends to a step's groups or a prompt's history are handled after the next frame, those of a
 * frame merged into one (mergeAppends): a burst of the host's parts is filed once and the tasks that
 * receive them stay short, so the frame between them is not held. Any other message is handled at
 * once, after the appends before it, so the host's state is never applied after a later key press.
 */
let appends: HostToViewer[] = [];
function handleAppends(): void {
  const batch = mergeAppends(appends);
  appends = [];
  // One message's failure (a bug, logged) does not drop the others of its frame.
  for (const m of batch) {
    try {
      handle(m);
    } catch (err) {
      console.error(err);
    }
  }
}
channel.onMessage((message) => {
  if ((message.type === 'rollouts' || message.type === 'history') && message.append) {
    appends.push(message);
    if (appends.length === 1) void afterNextFrame().then(handleAppends);
    return;
  }
  handleAppends();
  handle(message);
});

warmUp(scroller, (row) => groupView(row, ctx()));
channel.post({ type: 'ready' });
