// The Metrics view's page: the run picker, the smoothing slider, and the small multiples grouped
// as in DESIGN §3. State comes from the host (snapshot on `ready`); the page only sends intents.
// Every text from the host (run ids, metric names, errors) goes through textContent.
import type { HostToMetricsMessage, MetricsRunInfo, MetricsToHostMessage, MetricsViewState } from '../../src/protocol/metrics-messages';
import { MAX_SMOOTHING } from '../../src/protocol/metrics-messages';
import { ema } from './chart-math';
import { MetricChart } from './chart';
import { groupMetrics, isRewardDependent, type RunLine } from './overlay';
import { SeriesStore } from './series-store';
import { composePng, type ExportGroup } from './png-export';
import { readTheme, runColorCss } from './theme';
import { h } from '../shared/dom';
import { frameScheduler } from '../shared/frame';

export class MetricsApp {
  private state: MetricsViewState = { selected: [], smoothing: 0, hidden: [] };
  private runs: MetricsRunInfo[] = [];
  private readonly store = new SeriesStore();
  private readonly charts = new Map<string, MetricChart>();
  /** Metrics whose lines must be rebuilt (new points, smoothing, selection). */
  private readonly stale = new Set<string>();
  private theme = readTheme();
  private readonly schedule = frameScheduler(() => this.render());
  private layoutDirty = true;
  private runsDirty = true;
  private readonly runList = h('div', { class: 'run-list' });
  private readonly smoothingInput = h('input');
  private readonly smoothingValue = h('span', { class: 'smoothing-value' });
  private readonly banner = h('div', { class: 'banner' });
  private readonly empty = h('p', { class: 'empty' });
  private readonly rewardNote = h('p', { class: 'reward-note', id: 'reward-note' });
  private readonly groups = h('div', { class: 'groups' });
  private readonly hiddenBar = h('div', { class: 'hidden-bar' });
  private readonly visibility: IntersectionObserver;
  private highlight: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly post: (message: MetricsToHostMessage) => void,
  ) {
    const toolbar = h('div', { class: 'toolbar' });
    const label = h('label', { class: 'smoothing' });
    label.append(h('span', {}, 'Smoothing'), this.smoothingInput, this.smoothingValue);
    Object.assign(this.smoothingInput, { type: 'range', min: '0', max: String(MAX_SMOOTHING), step: '0.01', value: '0' });
    this.smoothingInput.setAttribute('aria-label', 'EMA smoothing weight');
    this.smoothingInput.addEventListener('input', () => this.setSmoothingLocally(Number(this.smoothingInput.value)));
    // The host stores the value once the slider is released.
    this.smoothingInput.addEventListener('change', () => this.post({ type: 'setSmoothing', smoothing: this.state.smoothing }));
    const exportPng = h('button', { class: 'export', title: 'Save the charts of the selected runs as one PNG, at a width you choose' }, 'Export PNG');
    exportPng.addEventListener('click', () => this.post({ type: 'exportPng' }));
    const exportCsv = h('button', { class: 'export', title: 'Save every point of the selected runs as CSV (run, metric, step, value)' }, 'Export CSV');
    exportCsv.addEventListener('click', () => this.post({ type: 'exportCsv' }));
    const exports = h('span', { class: 'exports' });
    exports.append(exportPng, exportCsv);
    toolbar.append(label, exports);
    this.banner.hidden = true;
    this.banner.setAttribute('role', 'alert');
    root.replaceChildren(this.runList, toolbar, this.banner, this.rewardNote, this.empty, this.groups, this.hiddenBar);
    root.removeAttribute('aria-busy');

    this.visibility = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const chart = this.charts.get((entry.target as HTMLElement).dataset['metric'] ?? '');
        if (chart) chart.visible = entry.isIntersecting;
      }
      this.schedule();
    });
    let lastWidth = 0;
    new ResizeObserver(() => {
      if (this.groups.clientWidth === lastWidth) return;
      lastWidth = this.groups.clientWidth;
      for (const chart of this.charts.values()) chart.dirty = true;
      this.schedule();
    }).observe(this.groups);
    // The workbench restyles <html> and <body> when the theme changes.
    const onTheme = new MutationObserver(() => {
      this.theme = readTheme();
      for (const chart of this.charts.values()) chart.dirty = true;
      this.schedule();
    });
    onTheme.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    onTheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  }

  handle(message: HostToMetricsMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.applyState(message.state);
        this.runs = message.runs;
        this.runsDirty = true;
        this.layoutDirty = true;
        this.markStale(this.store.reset(message.series));
        break;
      case 'state':
        this.applyState(message.state);
        break;
      case 'update':
        if (message.runs) {
          // A run's reward definition, once read, can change the grouping and the ⚠ marks.
          const rewardsBefore = this.runs.map((r) => `${r.runId}=${r.reward}`).join('|');
          this.runs = message.runs;
          this.runsDirty = true;
          if (this.runs.map((r) => `${r.runId}=${r.reward}`).join('|') !== rewardsBefore) this.layoutDirty = true;
        }
        if (message.replace) this.markStale(this.store.replaceRuns(message.replace.runIds, message.replace.series));
        if (message.append) this.markStale(this.store.append(message.append));
        break;
      case 'error':
        this.banner.textContent = message.message;
        this.banner.hidden = false;
        break;
      case 'composePng':
        // Pending points first: the image shows what the screen shows.
        this.render();
        this.post({ type: 'png', requestId: message.requestId, dataUri: composePng(this.shownCharts(), this.state.selected, this.theme, message.width) });
        return;
      case 'highlightStep':
        this.highlight = this.state.selected.some((s) => s.runId === message.runId) ? message.step : undefined;
        for (const chart of this.charts.values()) chart.setHighlight(this.highlight);
        break;
    }
    this.schedule();
  }

  /** Shows a message that the host never sent (a malformed message, a script error). */
  showError(text: string): void {
    this.banner.textContent = text;
    this.banner.hidden = false;
  }

  private applyState(state: MetricsViewState): void {
    const before = this.state;
    this.state = state;
    this.smoothingInput.value = String(state.smoothing);
    this.smoothingValue.textContent = state.smoothing.toFixed(2);
    const selected = new Set(state.selected.map((s) => s.runId));
    this.markStale(this.store.retain(selected));
    const colours = (s: MetricsViewState) => s.selected.map((r) => `${r.runId}:${r.color}`).join('|');
    if (colours(before) !== colours(state) || before.smoothing !== state.smoothing) this.markStale(this.store.metricNames());
    this.runsDirty = true;
    this.layoutDirty = true;
  }

  private setSmoothingLocally(smoothing: number): void {
    this.state = { ...this.state, smoothing };
    this.smoothingValue.textContent = smoothing.toFixed(2);
    this.markStale(this.store.metricNames());
    this.schedule();
  }

  private markStale(metrics: Iterable<string>): void {
    for (const m of metrics) this.stale.add(m);
    this.layoutDirty = true;
  }

  private render(): void {
    if (this.runsDirty) this.renderRuns();
    if (this.layoutDirty) this.renderLayout();
    for (const metric of this.stale) this.charts.get(metric)?.setLines(this.linesOf(metric), this.state.smoothing);
    this.stale.clear();
    for (const chart of this.charts.values()) if (chart.dirty && chart.visible) chart.draw(this.theme);
  }

  private linesOf(metric: string): RunLine[] {
    const lines: RunLine[] = [];
    for (const { runId, color } of this.state.selected) {
      const series = this.store.get(runId, metric);
      if (!series?.steps.length) continue;
      lines.push({ runId, color, steps: series.steps, values: series.values, smoothed: this.state.smoothing > 0 ? ema(series.values, this.state.smoothing) : series.values });
    }
    return lines;
  }

  private renderRuns(): void {
    this.runsDirty = false;
    const slots = new Map(this.state.selected.map((s) => [s.runId, s.color]));
    const rows: HTMLElement[] = this.runs.map((run) => {
      const row = h('label', { class: 'run-row' });
      row.dataset['runId'] = run.runId;
      const box = h('input');
      box.type = 'checkbox';
      box.checked = slots.has(run.runId);
      box.addEventListener('change', () => this.post({ type: 'selectRun', runId: run.runId, selected: box.checked }));
      const swatch = h('span', { class: 'swatch' });
      const slot = slots.get(run.runId);
      if (slot !== undefined) swatch.style.background = runColorCss(slot);
      const name = h('span', { class: 'run-name' }, run.runId);
      name.title = run.runId;
      const progress = h('span', { class: 'run-progress' }, `${run.status} · ${run.progress}`);
      row.append(box, swatch, name, progress);
      return row;
    });
    if (!rows.length)
      rows.push(
        h(
          'p',
          { class: 'empty' },
          'No runs yet: start one with "StepGRPO: Start StepGRPO Run", or run "stepgrpo train --out .stepgrpo/runs/<name>" in the terminal that "StepGRPO: Open CLI Terminal" opens.',
        ),
      );
    this.runList.replaceChildren(...rows);
  }

  private renderLayout(): void {
    this.layoutDirty = false;
    const hidden = new Set(this.state.hidden);
    const names = this.store.metricNames();
    for (const [metric, chart] of this.charts) {
      if (names.has(metric) && !hidden.has(metric)) continue;
      this.visibility.unobserve(chart.element);
      this.charts.delete(metric);
    }
    const rewards = this.selectedRewards();
    const mixed = rewards.size > 1;
    this.rewardNote.hidden = !mixed;
    this.rewardNote.textContent = mixed
      ? `⚠ The selected runs use different reward definitions (${[...rewards].map(([reward, runs]) => `${runs.join(', ')}: ${reward}`).join('; ')}). Charts marked ⚠ compare different functions; answer accuracy, validity rate and key-step recall mean the same for every run and come first.`
      : '';
    const sections = groupMetrics(
      [...names].filter((m) => !hidden.has(m)),
      mixed,
    ).map((group) => {
      const section = h('section', { class: 'group' });
      section.dataset['group'] = group.name;
      const grid = h('div', { class: 'grid' });
      for (const metric of group.metrics) {
        let chart = this.charts.get(metric);
        if (!chart) {
          chart = new MetricChart(
            metric,
            (m) => this.setHidden(m, true),
            (hit) => this.post({ type: 'openStep', runId: hit.runId, step: hit.step, metric }),
          );
          chart.setHighlight(this.highlight);
          this.charts.set(metric, chart);
          this.stale.add(metric);
          this.visibility.observe(chart.element);
        }
        chart.setRewardMismatch(mixed && isRewardDependent(metric));
        grid.append(chart.element);
      }
      section.append(h('h2', { class: 'group-title' }, group.name), grid);
      return section;
    });
    this.groups.replaceChildren(...sections);
    this.empty.textContent = !this.state.selected.length
      ? 'Tick runs above to chart their metrics; several runs are overlaid for comparison.'
      : names.size === 0
        ? 'No metrics yet for the selected runs.'
        : '';
    this.empty.hidden = this.empty.textContent === '';
    const chips = this.state.hidden
      .filter((m) => names.has(m))
      .map((metric) => {
        const chip = h('button', { class: 'chip' }, `+ ${metric}`);
        chip.title = `Show the ${metric} chart`;
        chip.addEventListener('click', () => this.setHidden(metric, false));
        return chip;
      });
    this.hiddenBar.replaceChildren(...(chips.length ? [h('span', { class: 'hidden-label' }, 'Hidden:'), ...chips] : []));
  }

  /** The shown charts, grouped as on screen. */
  private shownCharts(): ExportGroup[] {
    return [...this.groups.querySelectorAll<HTMLElement>('.group')].map((section) => ({
      name: section.dataset['group'] ?? '',
      charts: [...section.querySelectorAll<HTMLElement>('.chart')].map((el) => this.charts.get(el.dataset['metric'] ?? '')).filter((c) => c !== undefined),
    }));
  }

  /** Reward definition → the selected runs that use it (runs whose definition is unknown are left out). */
  private selectedRewards(): Map<string, string[]> {
    const byId = new Map(this.runs.map((r) => [r.runId, r.reward]));
    const out = new Map<string, string[]>();
    for (const { runId } of this.state.selected) {
      const reward = byId.get(runId);
      if (reward !== undefined) out.set(reward, [...(out.get(reward) ?? []), runId]);
    }
    return out;
  }

  private setHidden(metric: string, hidden: boolean): void {
    const set = new Set(this.state.hidden);
    if (hidden) set.add(metric);
    else set.delete(metric);
    this.state = { ...this.state, hidden: [...set].sort() };
    this.layoutDirty = true;
    if (!hidden) this.stale.add(metric);
    this.post({ type: 'setMetricHidden', metric, hidden });
    this.schedule();
  }
}
