// Rollout viewer webview (DESIGN §9). The host owns the state (run, step, filters, layout) and
// replays it after `ready`; this page renders the groups of the selected step in a virtualised list
// and reports every control change back to the host.
import type { RolloutGroup } from '../../src/protocol/trainer-messages';
import { parseHostToViewer, type HostToViewer, type ViewerFilters, type ViewerState, type ViewerToHost, defaultViewerState } from '../../src/protocol/viewer-messages';
import { h } from '../shared/dom';
import { button, checkbox, dropdown, registerToolkit, textField } from '../shared/toolkit';
import { connect } from '../shared/vscode-api';
import { filterRows, makeGroupEntry, violationCodes, type GroupEntry, type Row } from './filters';
import { groupView } from './group-view';
import { VirtualList } from './virtual-list';

registerToolkit();
const channel = connect<HostToViewer, ViewerToHost>(parseHostToViewer);

let state: ViewerState = defaultViewerState();
let steps: number[] = [];
let entries: GroupEntry[] = [];
let codes = new Set<string>();
let shownChains = 0;

const runLabel = h('span', { class: 'run-label', id: 'run-label' }, 'No run selected');
const status = h('span', { class: 'status', id: 'status' });
const banner = h('div', { class: 'banner', id: 'banner', hidden: '' });
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

const scroller = h('div', { class: 'list', id: 'list', tabindex: '0' });
const list = new VirtualList<Row>({
  scroller,
  render: (row) => groupView(row, state.layout),
  key: (row) => `${row.entry.key}/${row.chains.join(',')}/${state.layout}`,
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
    h('div', { class: 'toolbar-row' }, stepLabel, slider, follow.element, validity.element, correctness.element, violation.element, search.element, layout.element),
  ),
  banner,
  scroller,
);

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
}

function refilter(layoutChanged: boolean): void {
  const rows = filterRows(entries, state.filters);
  shownChains = rows.reduce((a, r) => a + r.chains.length, 0);
  list.setRows(rows, layoutChanged);
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
    const rows = filterRows(fresh, state.filters);
    shownChains += rows.reduce((a, r) => a + r.chains.length, 0);
    list.appendRows(rows);
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
  runLabel.textContent = next.run ? `${next.run.id}${next.run.live ? ' (live)' : ''}` : 'No run selected';
  runLabel.title = next.run?.dir ?? '';
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
    case 'steps':
      steps = message.steps;
      renderStepControls();
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
