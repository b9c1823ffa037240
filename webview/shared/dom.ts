// The only way webview code makes elements: strings become text nodes (never HTML), and inline
// event-handler attributes are refused, so chain text cannot inject markup or script.

export type Child = Node | string | null | undefined | false;

export interface Attrs {
  class?: string;
  title?: string;
  [name: string]: string | undefined;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (/^on/i.test(name)) throw new Error(`inline event handler "${name}" is not allowed; use addEventListener`);
    el.setAttribute(name, value);
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}
