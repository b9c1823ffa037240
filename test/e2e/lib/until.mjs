// The one wait of the real-VS-Code tests (extension-host suites and UI scripts alike): poll a probe
// until it says done, instead of sleeping a fixed time and hoping.

/**
 * Calls `probe` every `intervalMs` until `done(value)`; returns that value. After `ms`, fails
 * naming `what` and the last value seen.
 */
export async function until(probe, done, ms, what, intervalMs = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > end) {
      let last;
      try {
        last = JSON.stringify(value)?.slice(0, 400);
      } catch {
        last = String(value);
      }
      throw new Error(`${what} did not happen within ${ms / 1000} s; last: ${last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** `promise`, or a failure naming `what` after `ms`. */
export async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Like `until`, for work whose length depends on the machine (a training run's remaining steps):
 * waits as long as `progress()` keeps changing, and fails only after `stallMs` without a change
 * (or after `capMs` in all), naming `what` and the progress last seen.
 */
export async function untilWhileAdvancing(probe, done, progress, { stallMs, capMs, what, intervalMs = 250 }) {
  const start = Date.now();
  let last = await progress();
  let changed = start;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    const now = Date.now();
    const p = await progress();
    if (p !== last) {
      last = p;
      changed = now;
    }
    if (now - changed > stallMs) throw new Error(`${what}: no progress for ${stallMs / 1000} s (last: ${JSON.stringify(last)})`);
    if (now - start > capMs) throw new Error(`${what} did not happen within ${capMs / 1000} s, still progressing (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
