// WCAG 2 contrast of theme colours: the Metrics view's text must reach AA (4.5:1) on its background
// in the default light, dark and high-contrast themes. Colours come as CSS strings (#rgb, #rrggbb,
// #rrggbbaa, rgb()/rgba()); a translucent colour is composited over the background first.

export const AA_TEXT = 4.5;

/**
 * Every text colour of the view (media/metrics.css and the canvas) with the background it is read
 * on: a unit test checks each pair reaches WCAG AA in the default themes, so the stylesheet uses
 * only these pairs for text.
 */
export const TEXT_COLOURS: readonly { what: string; text: string; background: string }[] = [
  { what: 'run names, chart titles, the reward note', text: '--vscode-foreground', background: '--vscode-sideBar-background' },
  { what: 'run progress, group titles, smoothing value, empty states', text: '--vscode-descriptionForeground', background: '--vscode-sideBar-background' },
  { what: 'axis labels on a chart', text: '--vscode-descriptionForeground', background: '--vscode-editorWidget-background' },
  { what: 'Export PNG / Export CSV', text: '--vscode-textLink-foreground', background: '--vscode-sideBar-background' },
  { what: 'hover read-out', text: '--vscode-editorHoverWidget-foreground', background: '--vscode-editorHoverWidget-background' },
  { what: 'the read-out’s step', text: '--vscode-descriptionForeground', background: '--vscode-editorHoverWidget-background' },
  { what: 'a chart’s ✕ (hide) button', text: '--vscode-icon-foreground', background: '--vscode-editorWidget-background' },
  { what: 'hidden-chart chips', text: '--vscode-button-secondaryForeground', background: '--vscode-button-secondaryBackground' },
];

type Rgba = [number, number, number, number];

/** The colour as [r, g, b, a] (0–255, alpha 0–1), or undefined when it is not one of the forms above. */
export function parseColour(css: string): Rgba | undefined {
  const s = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const digits = hex.length <= 4 ? [...hex].map((c) => c + c) : (hex.match(/../g) ?? []);
    const [r, g, b, a = 'ff'] = digits;
    return [parseInt(r!, 16), parseInt(g!, 16), parseInt(b!, 16), parseInt(a, 16) / 255];
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s)?.[1];
  if (!fn) return undefined;
  const parts = fn
    .split(/[\s,/]+/)
    .filter(Boolean)
    .map(Number);
  if (parts.length < 3 || parts.some((p) => !Number.isFinite(p))) return undefined;
  return [parts[0]!, parts[1]!, parts[2]!, parts[3] ?? 1];
}

/** `fg` over `bg` (bg itself over white when translucent). */
function over(fg: Rgba, bg: Rgba): Rgba {
  const base: Rgba = bg[3] < 1 ? over(bg, [255, 255, 255, 1]) : bg;
  const a = fg[3];
  return [fg[0] * a + base[0] * (1 - a), fg[1] * a + base[1] * (1 - a), fg[2] * a + base[2] * (1 - a), 1];
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The WCAG contrast ratio (1–21) of text `fg` on `bg`; NaN when either is not a colour. */
export function contrastRatio(fg: string, bg: string): number {
  const f = parseColour(fg);
  const b = parseColour(bg);
  if (!f || !b) return NaN;
  const backdrop = over(b, [255, 255, 255, 1]);
  const l1 = luminance(over(f, backdrop));
  const l2 = luminance(backdrop);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

/** The first candidate that reaches `min` on `bg`, else the candidate with the most contrast. */
export function readableOn(bg: string, candidates: readonly string[], min = AA_TEXT): string {
  let best = candidates[0]!;
  let bestRatio = -1;
  for (const c of candidates) {
    const ratio = contrastRatio(c, bg);
    if (ratio >= min) return c;
    if (ratio > bestRatio) [best, bestRatio] = [c, ratio];
  }
  return best;
}
