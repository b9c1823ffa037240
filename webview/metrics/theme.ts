// Colours and fonts of the current VS Code theme, read from the CSS variables the workbench sets
// on the webview's <html>; read again whenever the theme changes.
import { readableOn } from './contrast';

/** Run colours: the workbench's chart palette first, then terminal colours. */
const RUN_COLOR_VARS: [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
  ['--vscode-terminal-ansiCyan', '#11a8cd'],
  ['--vscode-terminal-ansiMagenta', '#bc3fbc'],
];

export interface Theme {
  /** Opaque: what the exported PNG is painted on. */
  background: string;
  /** Behind each chart (its card). */
  chartBackground: string;
  foreground: string;
  /** Axis labels: the description colour, or the foreground where that one is too faint on the chart's background. */
  muted: string;
  grid: string;
  font: string;
  runColors: string[];
}

/** CSS for a run's swatch: the same variable the canvas resolves. */
export function runColorCss(slot: number): string {
  const [name, fallback] = RUN_COLOR_VARS[slot % RUN_COLOR_VARS.length]!;
  return `var(${name}, ${fallback})`;
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.documentElement);
  const get = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const family = get('--vscode-font-family', 'system-ui, sans-serif');
  const light = document.body.classList.contains('vscode-light') || document.body.classList.contains('vscode-high-contrast-light');
  const background = get('--vscode-sideBar-background', get('--vscode-editor-background', light ? '#ffffff' : '#1e1e1e'));
  const foreground = get('--vscode-foreground', light ? '#3b3b3b' : '#cccccc');
  const chartBackground = get('--vscode-editorWidget-background', background);
  return {
    background,
    chartBackground,
    foreground,
    muted: readableOn(chartBackground, [get('--vscode-descriptionForeground', foreground), foreground]),
    grid: get('--vscode-stepgrpo-metricsGridLine', 'rgba(128, 128, 128, 0.2)'),
    font: `10px ${family}`,
    runColors: RUN_COLOR_VARS.map(([name, fallback]) => get(name, fallback)),
  };
}

export function runColor(theme: Theme, slot: number): string {
  return theme.runColors[slot % theme.runColors.length]!;
}
