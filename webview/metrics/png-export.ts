// The Export PNG image: a legend of the selected runs, then every shown chart group, its charts in
// a grid, each chart painted afresh at the export's width on an opaque background in the current
// theme's colours. Never the on-screen canvases: a chart scrolled out of view is not redrawn there.
import type { MetricsViewState } from '../../src/protocol/metrics-messages';
import type { MetricChart } from './chart';
import { runColor, type Theme } from './theme';

export interface ExportGroup {
  name: string;
  charts: MetricChart[];
}

/** Charts per row: as many as fit this many CSS pixels each. */
const MIN_CHART_WIDTH = 320;
const GAP = 8;
const LINE = 18;

/** A `data:image/png` URI `width` CSS pixels wide (times the page's pixel ratio). */
export function composePng(groups: readonly ExportGroup[], selected: MetricsViewState['selected'], theme: Theme, width: number): string {
  const scale = window.devicePixelRatio || 1;
  const columns = Math.max(1, Math.floor((width - GAP) / (MIN_CHART_WIDTH + GAP)));
  const cell = Math.floor((width - GAP * (columns + 1)) / columns);
  const painted = groups
    .filter((g) => g.charts.length)
    .map((g) => ({ name: g.name, canvases: g.charts.map((c) => ({ metric: c.metric, canvas: c.paintAt(cell, theme, scale) })) }));
  const chartHeight = painted[0]?.canvases[0] ? painted[0].canvases[0].canvas.height / scale : 0;
  const rowHeight = LINE + chartHeight + GAP;
  let height = GAP + selected.length * LINE + GAP;
  for (const g of painted) height += LINE + Math.ceil(g.canvases.length / columns) * rowHeight;

  const out = document.createElement('canvas');
  out.width = Math.round(width * scale);
  out.height = Math.round(height * scale);
  const ctx = out.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = `12px ${theme.font.replace(/^\S+\s/, '')}`;
  ctx.textBaseline = 'top';
  let y = GAP;
  for (const { runId, color } of selected) {
    ctx.fillStyle = runColor(theme, color);
    ctx.fillRect(GAP, y + 3, 10, 10);
    ctx.fillStyle = theme.foreground;
    ctx.fillText(runId, GAP + 16, y + 1);
    y += LINE;
  }
  y += GAP;
  for (const group of painted) {
    ctx.fillStyle = theme.muted;
    ctx.fillText(group.name.toUpperCase(), GAP, y + 3);
    y += LINE;
    group.canvases.forEach(({ metric, canvas }, i) => {
      const x = GAP + (i % columns) * (cell + GAP);
      const top = y + Math.floor(i / columns) * rowHeight;
      ctx.fillStyle = theme.chartBackground;
      ctx.fillRect(x, top, cell, LINE + chartHeight);
      ctx.fillStyle = theme.foreground;
      ctx.fillText(metric, x + 4, top + 3);
      ctx.drawImage(canvas, x, top + LINE, cell, chartHeight);
    });
    y += Math.ceil(group.canvases.length / columns) * rowHeight;
  }
  return out.toDataURL('image/png');
}
