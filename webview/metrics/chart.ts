// One small-multiple chart: a canvas with the runs' lines (raw faint, EMA solid), a second canvas
// for the hover cross-hair so hovering never redraws the lines, and a text read-out under it.
// Lines are drawn through min/max-per-pixel-column samples, so 100k points cost what ~4 per pixel do.
// A click on a point opens that run's step (the page posts `openStep`); a highlighted step (from
// the Rollout viewer) is a vertical marker. The PNG export paints the same lines at its own width.
import { describeMetric } from './metric-docs';
import { downsampleMinMax, formatTick, formatValue, linearScale, niceTicks, paddedRange } from './chart-math';
import { overlayDomain, readoutAt, type RunLine } from './overlay';
import { runColor, runColorCss, type Theme } from './theme';

const HEIGHT = 120;
const PAD = { top: 6, right: 8, bottom: 16 };
/** Below this many points per run, each point also gets a dot (a short run is a few points). */
const DOTS_BELOW = 40;

interface Layout {
  left: number;
  width: number;
  height: number;
  x: (step: number) => number;
  xInv: (px: number) => number;
  y: (v: number) => number;
  pxPerStep: number;
}

/** Where a click landed: the nearest drawn point of any run. */
export interface PointHit {
  runId: string;
  step: number;
}

export class MetricChart {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly base: HTMLCanvasElement;
  private readonly hover: HTMLCanvasElement;
  private readonly readout: HTMLElement;
  private lines: RunLine[] = [];
  private smoothing = 0;
  private layout: Layout | undefined;
  private theme: Theme | undefined;
  private hoverX: number | undefined;
  private highlight: number | undefined;
  dirty = true;
  visible = true;

  constructor(
    readonly metric: string,
    onHide: (metric: string) => void,
    onOpen: (hit: PointHit) => void,
  ) {
    this.element = document.createElement('section');
    this.element.className = 'chart';
    this.element.dataset['metric'] = metric;
    const header = document.createElement('header');
    const title = document.createElement('h3');
    title.className = 'chart-title';
    title.textContent = metric;
    const doc = describeMetric(metric);
    title.title = doc ? `${metric}: ${doc}` : metric;
    const hide = document.createElement('button');
    hide.className = 'icon-button';
    hide.textContent = '✕';
    hide.title = `Hide ${metric}`;
    hide.setAttribute('aria-label', `Hide the ${metric} chart`);
    hide.addEventListener('click', () => onHide(metric));
    this.title = title;
    header.append(title, hide);
    const plot = document.createElement('div');
    plot.className = 'plot';
    this.base = document.createElement('canvas');
    this.hover = document.createElement('canvas');
    this.hover.className = 'hover-layer';
    this.base.setAttribute('role', 'img');
    this.readout = document.createElement('div');
    this.readout.className = 'readout';
    plot.append(this.base, this.hover, this.readout);
    this.element.append(header, plot);
    plot.addEventListener('pointermove', (e) => {
      this.hoverX = e.offsetX;
      this.drawHover();
    });
    plot.addEventListener('pointerleave', () => {
      this.hoverX = undefined;
      this.drawHover();
    });
    plot.addEventListener('click', (e) => {
      const hit = this.pointAt(e.offsetX, e.offsetY);
      if (hit) onOpen(hit);
    });
    plot.title = 'Click a point to open that step in the Rollout viewer';
  }

  /** The step the Rollout viewer shows, marked on the chart (undefined: none). */
  setHighlight(step: number | undefined): void {
    if (step === this.highlight) return;
    this.highlight = step;
    this.element.dataset['highlight'] = step === undefined ? '' : String(step);
    this.dirty = true;
  }

  /** This chart painted afresh at `cssWidth` × HEIGHT (the PNG export: never the on-screen canvas, which a hidden chart leaves stale). */
  paintAt(cssWidth: number, theme: Theme, scale: number): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(cssWidth * scale);
    canvas.height = Math.round(HEIGHT * scale);
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      this.paint(ctx, cssWidth, theme);
    }
    return canvas;
  }

  /** Marks a chart whose metric depends on the reward definition when the overlaid runs' definitions differ. */
  setRewardMismatch(mismatch: boolean): void {
    this.element.classList.toggle('reward-mismatch', mismatch);
    const doc = describeMetric(this.metric);
    this.title.textContent = mismatch ? `⚠ ${this.metric}` : this.metric;
    this.title.title = `${mismatch ? 'The overlaid runs use different reward definitions: this chart compares different functions. ' : ''}${doc ? `${this.metric}: ${doc}` : this.metric}`;
  }

  setLines(lines: RunLine[], smoothing: number): void {
    this.lines = lines;
    this.smoothing = smoothing;
    this.dirty = true;
    let points = 0;
    for (const line of lines) points += line.steps.length;
    this.element.dataset['points'] = String(points);
    this.element.dataset['runs'] = String(lines.filter((l) => l.steps.length).length);
  }

  /** Redraws the lines (and the cross-hair, if the pointer is over the chart). */
  draw(theme: Theme): void {
    this.theme = theme;
    this.dirty = false;
    const cssWidth = this.base.clientWidth;
    if (cssWidth === 0) {
      this.dirty = true;
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    for (const canvas of [this.base, this.hover]) {
      canvas.width = Math.round(cssWidth * dpr);
      canvas.height = Math.round(HEIGHT * dpr);
    }
    const ctx = this.base.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.layout = this.paint(ctx, cssWidth, theme);
    const last = this.lines.filter((l) => l.steps.length).map((l) => `${l.runId} ${formatValue(l.smoothed[l.steps.length - 1]!)} at step ${l.steps[l.steps.length - 1]}`);
    this.base.setAttribute('aria-label', this.layout ? `${this.metric}: ${last.join('; ')}` : `${this.metric}: no points yet`);
    this.drawHover();
  }

  /** Grid, labels, lines and the highlighted step on a cleared `cssWidth` × HEIGHT context; the layout, or undefined with no points. */
  private paint(ctx: CanvasRenderingContext2D, cssWidth: number, theme: Theme): Layout | undefined {
    ctx.clearRect(0, 0, cssWidth, HEIGHT);
    ctx.font = theme.font;
    const domain = overlayDomain(this.lines);
    if (!domain) {
      ctx.fillStyle = theme.muted;
      ctx.fillText('no points yet', 8, HEIGHT / 2);
      return undefined;
    }
    const [y0, y1] = paddedRange(domain.y0, domain.y1);
    const yTicks = niceTicks(y0, y1, 4);
    const labels = yTicks.ticks.map((t) => formatTick(t, yTicks.step));
    const left = Math.ceil(Math.max(...labels.map((l) => ctx.measureText(l).width), 10)) + 8;
    const plotW = Math.max(10, cssWidth - left - PAD.right);
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const [x0, x1] = domain.x0 === domain.x1 ? [domain.x0 - 1, domain.x1 + 1] : [domain.x0, domain.x1];
    const x = linearScale(x0, x1, left, left + plotW);
    const y = linearScale(y0, y1, PAD.top + plotH, PAD.top);
    const layout: Layout = { left, width: plotW, height: plotH, x, xInv: linearScale(left, left + plotW, x0, x1), y, pxPerStep: plotW / (x1 - x0) };

    // Grid and axis labels.
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.fillStyle = theme.muted;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.beginPath();
    yTicks.ticks.forEach((t, i) => {
      const py = Math.round(y(t)) + 0.5;
      ctx.moveTo(left, py);
      ctx.lineTo(left + plotW, py);
      ctx.fillText(labels[i]!, left - 4, py);
    });
    const xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(plotW / 60)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xTicks.ticks) {
      if (!Number.isInteger(t)) continue;
      const px = Math.round(x(t)) + 0.5;
      ctx.moveTo(px, PAD.top);
      ctx.lineTo(px, PAD.top + plotH);
      // Kept inside the canvas: the last tick often sits on the right edge.
      const label = formatTick(t, Math.max(1, xTicks.step));
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.min(cssWidth - half - 1, Math.max(left + half, px)), PAD.top + plotH + 3);
    }
    ctx.stroke();

    // Lines: raw faint under the smoothed one, each through at most ~4 points per pixel column.
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, PAD.top - 2, plotW, plotH + 4);
    ctx.clip();
    ctx.lineJoin = 'round';
    for (const line of this.lines) {
      if (!line.steps.length) continue;
      const color = runColor(theme, line.color);
      const smoothed = this.smoothing > 0;
      if (smoothed) this.stroke(ctx, line.steps, line.values, color, 1, 0.3, x, y, x0, x1, plotW);
      this.stroke(ctx, line.steps, smoothed ? line.smoothed : line.values, color, 1.6, 1, x, y, x0, x1, plotW);
      if (line.steps.length < DOTS_BELOW) {
        ctx.fillStyle = color;
        for (let i = 0; i < line.steps.length; i++) {
          ctx.beginPath();
          ctx.arc(x(line.steps[i]!), y(line.values[i]!), 2.2, 0, Math.PI * 2);
          ctx.fill();
        }
      }
    }
    ctx.restore();
    if (this.highlight !== undefined && this.highlight >= x0 && this.highlight <= x1) {
      const px = Math.round(x(this.highlight)) + 0.5;
      ctx.strokeStyle = theme.foreground;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([3, 2]);
      ctx.beginPath();
      ctx.moveTo(px, PAD.top);
      ctx.lineTo(px, PAD.top + plotH);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    return layout;
  }

  /** The point nearest to a click among the runs' points within 12 px of its column, if any. */
  private pointAt(px: number, py: number): PointHit | undefined {
    const layout = this.layout;
    if (!layout) return undefined;
    const rows = readoutAt(this.lines, layout.xInv(px), Math.max(12 / layout.pxPerStep, 0.5));
    const distance = (r: (typeof rows)[number]) => Math.hypot(layout.x(r.step) - px, layout.y(r.value) - py);
    const nearest = rows.sort((a, b) => distance(a) - distance(b))[0];
    return nearest && { runId: nearest.runId, step: nearest.step };
  }

  private stroke(
    ctx: CanvasRenderingContext2D,
    steps: ArrayLike<number>,
    values: ArrayLike<number>,
    color: string,
    width: number,
    alpha: number,
    x: (v: number) => number,
    y: (v: number) => number,
    x0: number,
    x1: number,
    columns: number,
  ): void {
    const picks = downsampleMinMax(steps, values, x0, x1, columns);
    ctx.strokeStyle = color;
    ctx.globalAlpha = alpha;
    ctx.lineWidth = width;
    ctx.beginPath();
    picks.forEach((i, k) => {
      const px = x(steps[i]!);
      const py = y(values[i]!);
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    });
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  private drawHover(): void {
    const ctx = this.hover.getContext('2d');
    const layout = this.layout;
    const theme = this.theme;
    if (!ctx || !theme) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.hover.width, this.hover.height);
    this.readout.replaceChildren();
    this.readout.hidden = true;
    if (!layout || this.hoverX === undefined || this.hoverX < layout.left - 4) return;
    const step = layout.xInv(this.hoverX);
    // Within 24 px of a point, or the nearest one when points are sparse.
    const rows = readoutAt(this.lines, step, Math.max(24 / layout.pxPerStep, 0.5));
    if (!rows.length) return;
    const px = Math.round(layout.x(rows[0]!.step)) + 0.5;
    ctx.strokeStyle = theme.muted;
    ctx.globalAlpha = 0.6;
    ctx.beginPath();
    ctx.moveTo(px, PAD.top);
    ctx.lineTo(px, PAD.top + layout.height);
    ctx.stroke();
    ctx.globalAlpha = 1;
    // The read-out floats on the side away from the cursor.
    const onRight = this.hoverX < layout.left + layout.width / 2;
    this.readout.style.left = onRight ? '' : `${layout.left + 4}px`;
    this.readout.style.right = onRight ? '4px' : '';
    this.readout.hidden = false;
    const head = document.createElement('div');
    head.className = 'readout-step';
    head.textContent = `step ${rows[0]!.step}`;
    this.readout.append(head);
    for (const row of rows) {
      ctx.fillStyle = runColor(theme, row.color);
      ctx.beginPath();
      ctx.arc(layout.x(row.step), layout.y(row.value), 3.5, 0, Math.PI * 2);
      ctx.fill();
      const line = document.createElement('div');
      line.className = 'readout-row';
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = runColorCss(row.color);
      const name = document.createElement('span');
      name.className = 'readout-run';
      name.textContent = row.runId;
      const value = document.createElement('span');
      value.className = 'readout-value';
      value.textContent = this.smoothing > 0 ? `${formatValue(row.value)} (raw ${formatValue(row.raw)})` : formatValue(row.raw);
      if (row.step !== rows[0]!.step) value.textContent += ` @ ${row.step}`;
      line.append(swatch, name, value);
      this.readout.append(line);
    }
  }
}
