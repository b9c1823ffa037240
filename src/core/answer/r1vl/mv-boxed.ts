// Math-Verify's reading of `\boxed{…}` / `\fbox{…}` during normalisation, searched from the right:
// `all` joins every box with commas; `last` takes the last box and the boxes before it that are
// close (under 10 characters between) or, within 70 characters, separated by and/or/,/; with a
// different content. An unclosed box is the rest of the text when it is the last one.

const SEPARATOR = /and|or|,|;/;

export function boxedContent(text: string, mode: 'all' | 'last'): string {
  const results: string[] = [];
  let current = text.length;
  let maxPos = text.length;
  let lastBoxStart: number | null = null;
  // Python's rfind(…, 0, current): the whole command before `current`. `current` only decreases, so
  // a position found earlier that still lies before it is still the answer: each command is searched
  // for afresh only once it has been passed, which keeps the whole walk linear.
  let bi = text.length;
  let fi = text.length;
  for (;;) {
    if (bi > current - 6) bi = current >= 6 ? text.lastIndexOf('\\boxed', current - 6) : -1;
    if (fi > current - 5) fi = current >= 5 ? text.lastIndexOf('\\fbox', current - 5) : -1;
    if (bi < 0 && fi < 0) break;
    const start = Math.max(bi, fi);
    let brace = start + (bi > fi ? 6 : 5);
    while (brace < maxPos && /\s/.test(text[brace]!)) brace++;
    if (brace >= maxPos) break;
    if (text[brace] !== '{') {
      if (results.length === 0) results.push(text.slice(brace));
      break;
    }
    const end = closingBrace(text, brace, maxPos);
    if (end < 0) {
      if (results.length === 0) results.push(text.slice(brace));
      break;
    }
    const content = text.slice(brace + 1, end).trim();
    if (mode === 'last' && lastBoxStart !== null && !joinable(text, content, results[results.length - 1] ?? '', end, lastBoxStart)) break;
    results.push(content);
    lastBoxStart = start;
    maxPos = start;
    current = start;
  }
  return results.length === 0 ? text : results.reverse().join(',');
}

function closingBrace(text: string, open: number, maxPos: number): number {
  let depth = 1;
  for (let i = open + 1; i < maxPos; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function joinable(text: string, content: string, next: string, end: number, nextStart: number): boolean {
  const between = text.slice(end + 1, nextStart);
  if (between.length < 10) return true;
  return next !== content && between.length < 70 && SEPARATOR.test(between);
}
