// Rollout viewer webview (DESIGN §9). The host owns the state (run, step, filters, layout) and
// replays it after `ready`; this page renders the groups of the selected step in a virtualised list
// and reports every control change back to the host. Search filters in time slices (a keystroke
// never holds a frame), marks its hits and steps through them with next/previous.
import type { RolloutGroup } from '../../src/protocol/trainer-messages';
import { parseHostToViewer, type HostToViewer, type ViewerFilters, type ViewerState, type ViewerToHost, defaultViewerState } from '../../src/protocol/viewer-messages';
import { h } from '../shared/dom';
import { button, checkbox, dropdown, registerToolkit, textField } from '../shared/toolkit';
import { connect } from '../shared/vscode-api';
import { filterRows, filterRowsSliced, makeGroupEntry, violationCodes, type GroupEntry, type Row } from './filters';
import { chainKey, groupView, type ViewContext } from './group-view';
import { describeRun, phaseBanner } from './run-banner';
import { HEAT_MODES, type HeatMode } from './token-heat';
import { VirtualList } from './virtual-list';

registerToolkit();
const channel = connect<HostToViewer, ViewerToHost>(parseHostToViewer);

let state: ViewerState = defaultViewerState();
/** What the panel restores after a window reload (the serializer reads it): the run it shows. */
let persisted: { run?: { id: string; dir: string } } = {};
let steps: number[] = [];
let entries: GroupEntry[] = [];
let codes = new Set<string>();
let shownChains = 0;
let rows: Row[] = [];
/** Long chains the user expanded, by chainKey; kept while the run is shown. */
const expanded = new Set<string>();
/** Where next/previous stands: an index into the matching chains of `rows`. */
let hitIndex = -1;
let currentHit: string | null = null;
/** Bumped by every refilter: a slower, older one gives up. */
let filterRun = 0;
let filtering = false;

/** The token heat overlay's mode (page-local: a view choice, not run state). */
let heat: HeatMode | undefined;

const ctx = (): ViewContext => ({ layout: state.layout, needle: state.filters.search.trim().toLowerCase(), expanded, current: currentHit, heat });

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
const layout = dropdown('Layout', (v) => {
  state.layout = v === 'stacked' ? 'stacked' : 'columns';
  channel.post({ type: 'setLayout', layout: state.layout });
  refilter(true);
});
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
  ],
  'columns',
);

const heatMode = dropdown('Token heat', (v) => {
  heat = v === '' ? undefined : (v as HeatMode);
  refilter(true);
});
heatMode.setChoices([...HEAT_MODES], '');

const scroller = h('div', { class: 'list', id: 'list', tabindex: '0' });
const list = new VirtualList<Row>({
  scroller,
  render: (row) => groupView(row, ctx()),
  // Expanded chains are taller: their rows are measured apart from the collapsed ones.
  key: (row) => `${row.entry.key}/${row.chains.join(',')}/${state.layout}/${heat ?? ''}/${row.chains.filter((i) => expanded.has(chainKey(row.entry.key, i))).join('.')}`,
  estimate: (row) => (state.layout === 'stacked' ? 160 + 260 * row.chains.length : 460),
});

document.body.append(
  h(
    'div',
    { class: 'toolbar' },
    h(
      'div',
      { class: 'toolbar-row' },
      runLabel,
      button('Choose run…', () => channel.post({ type: 'pickRun' })),
      status,
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
  ),
  phase,
  banner,
  scroller,
);

// Buttons inside the (virtualised, re-rendered) rows: one listener for all of them.
scroller.addEventListener('click', (e) => {
  const target = (e.target as HTMLElement).closest('button');
  if (!target) return;
  if (target.classList.contains('open-editor')) {
    const { step, group, sample } = target.dataset;
    channel.post({ type: 'openInEditor', step: Number(step), group: Number(group), sample: Number(sample) });
  } else if (target.classList.contains('show-all') && target.dataset.chainKey) {
    expanded.add(target.dataset.chainKey);
    list.rerender((row) => target.dataset.chainKey!.startsWith(`${row.entry.key}/`));
  }
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
  channel.post({ type: 'setStep', step });
  renderStepControls();
}

function setFilters(change: Partial<ViewerFilters>): void {
  state.filters = { ...state.filters, ...change };
  channel.post({ type: 'setFilters', filters: state.filters });
  refilter(false);
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
  const total = entries.reduce((a, e) => a + e.group.samples.length, 0);
  status.textContent = `${shownChains} of ${total} chains · ${list.length} groups`;
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
  hitIndex = -1;
  currentHit = null;
  filtering = true;
  void filterRowsSliced(entries, state.filters, () => run !== filterRun).then((result) => {
    if (!result || run !== filterRun) return;
    filtering = false;
    rows = result;
    shownChains = rows.reduce((a, r) => a + r.chains.length, 0);
    list.setRows(rows, layoutChanged);
    renderStatus();
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

function showGroups(step: number, groups: RolloutGroup[], append: boolean): void {
  const start = append ? entries.length : 0;
  const fresh = groups.map((g, i) => makeGroupEntry(step, start + i, g));
  const before = codes.size;
  for (const c of violationCodes(fresh)) codes.add(c);
  if (codes.size !== before) renderViolationChoices();
  if (append) {
    entries.push(...fresh);
    // A refilter in flight reads `entries` to its end and will include these.
    if (filtering) return;
    const added = filterRows(fresh, state.filters);
    rows.push(...added);
    shownChains += added.reduce((a, r) => a + r.chains.length, 0);
    list.appendRows(added);
    renderStatus();
  } else {
    entries = fresh;
    refilter(false);
  }
}

function applyState(next: ViewerState): void {
  state = next;
  entries = [];
  codes = new Set();
  if (next.run?.dir !== persisted.run?.dir) expanded.clear();
  persisted = next.run ? { run: { id: next.run.id, dir: next.run.dir } } : {};
  channel.persist(persisted);
  renderRun();
  validity.setValue(next.filters.validity);
  correctness.setValue(next.filters.correctness);
  layout.setValue(next.layout);
  search.setValue(next.filters.search);
  renderViolationChoices();
  renderStepControls();
  banner.hidden = true;
  refilter(true);
}

channel.onMessage((message) => {
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
    case 'notice':
      banner.hidden = false;
      banner.className = `banner ${message.level}`;
      banner.textContent = message.message;
      break;
  }
});

channel.post({ type: 'ready' });
