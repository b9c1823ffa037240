// KaTeX for formulas in chain text. katex.render builds DOM nodes (no HTML string is parsed) with
// `trust` off, so chain text cannot add links, scripts or styles through a formula. Rendered
// formulas are cached by source and cloned: the same few formulas repeat across thousands of chains.
import katex from 'katex';

const cache = new Map<string, HTMLElement>();
const MAX_CACHED = 2000;

/** A rendered formula, or null when KaTeX cannot parse it (the caller shows the source text). */
export function renderMath(tex: string, display: boolean): HTMLElement | null {
  const key = `${display ? 'D' : 'I'}${tex}`;
  let rendered = cache.get(key);
  if (!rendered) {
    const el = document.createElement('span');
    try {
      katex.render(tex, el, { displayMode: display, throwOnError: true, trust: false, strict: 'ignore', maxSize: 20, maxExpand: 200, output: 'htmlAndMathml' });
    } catch {
      return null;
    }
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, el);
    rendered = el;
  }
  return rendered.cloneNode(true) as HTMLElement;
}
