// Long batches are scored in time slices with a turn of the event loop between them, so that the
// process hosting the server (the VS Code extension host, or a server with other connections
// waiting) never stalls for more than one slice.

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Maps `fn` over `items` in order, yielding after every `sliceMs` of work. Stops early (returning
 * null) when `cancelled()` turns true at a slice boundary, e.g. when the client has gone away.
 */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T, index: number) => R, sliceMs: number, cancelled: () => boolean = () => false): Promise<R[] | null> {
  const out: R[] = new Array<R>(items.length);
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i]!, i);
    if (performance.now() - sliceStart >= sliceMs && i + 1 < items.length) {
      await yieldToEventLoop();
      if (cancelled()) return null;
      sliceStart = performance.now();
    }
  }
  return out;
}
