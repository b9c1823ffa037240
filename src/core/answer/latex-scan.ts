// Linear scans over LaTeX-bearing text: balanced brace groups, `\boxed{}` boxes and math segments
// (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`), each with its span so callers can tell which comes last.

export interface Segment {
  content: string;
  start: number;
  end: number;
}

/** Content of the `{…}` group opening at `open` (balanced), or null. Linear, escape-aware. */
export function braceGroup(s: string, open: number): { content: string; end: number } | null {
  if (s.charCodeAt(open) !== 123) return null;
  let level = 0;
  for (let k = open; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 92) {
      k++;
      continue;
    }
    if (c === 123) level++;
    else if (c === 125 && --level === 0) return { content: s.slice(open + 1, k), end: k + 1 };
  }
  return null;
}

const MAX_BOXES = 64;

/**
 * Every `\boxed{…}` / `\fbox{…}` in `s`, in order. A box whose brace never closes (a truncated
 * output) runs to the end of the text.
 */
export function boxes(s: string): Segment[] {
  const out: Segment[] = [];
  let i = nextBox(s, 0);
  while (i >= 0 && out.length < MAX_BOXES) {
    let j = i + (s.startsWith('\\boxed', i) ? 6 : 5);
    while (j < s.length && s.charCodeAt(j) === 32) j++;
    if (s.charCodeAt(j) !== 123) {
      i = nextBox(s, j);
      continue;
    }
    const g = braceGroup(s, j);
    if (!g) {
      out.push({ content: s.slice(j + 1), start: i, end: s.length });
      break;
    }
    out.push({ content: g.content, start: i, end: g.end });
    i = nextBox(s, g.end);
  }
  return out;
}

function nextBox(s: string, from: number): number {
  const a = s.indexOf('\\boxed', from);
  const b = s.indexOf('\\fbox', from);
  if (a < 0) return b;
  return b < 0 ? a : Math.min(a, b);
}

/** Contents of every box in `s`, in order. */
export function boxedContents(s: string): string[] {
  return boxes(s).map((b) => b.content);
}

/**
 * Math segments of free text, in order, with spans (linear scan; an unclosed `$` ends the scan).
 * Inline math (`$…$`, `\(…\)`) does not run over a line break, as Math-Verify reads it: a `$` whose
 * partner is on another line is more often a currency sign or a stray delimiter than math.
 */
export function mathSpans(s: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < s.length && out.length < 256) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */ && (s[i + 1] === '(' || s[i + 1] === '[')) {
      const inline = s[i + 1] === '(';
      const close = inline ? '\\)' : '\\]';
      const end = s.indexOf(close, i + 2);
      if (end < 0) break;
      if (inline && s.lastIndexOf('\n', end) > i) {
        i += 2;
        continue;
      }
      out.push({ content: s.slice(i + 2, end), start: i, end: end + 2 });
      i = end + 2;
      continue;
    }
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === 36 /* $ */) {
      const dbl = s.charCodeAt(i + 1) === 36;
      const open = dbl ? 2 : 1;
      let end = i + open;
      while (end < s.length) {
        if (s.charCodeAt(end) === 92) {
          end += 2;
          continue;
        }
        if (s.charCodeAt(end) === 36) break;
        end++;
      }
      if (end >= s.length) break;
      if (!dbl && s.lastIndexOf('\n', end) > i) {
        i += 1;
        continue;
      }
      const after = end + (dbl && s.charCodeAt(end + 1) === 36 ? 2 : 1);
      out.push({ content: s.slice(i + open, end), start: i, end: after });
      i = after;
      continue;
    }
    i++;
  }
  return out;
}

/** Math segment contents of free text, in order. */
export function mathSegments(s: string): string[] {
  return mathSpans(s).map((m) => m.content);
}
