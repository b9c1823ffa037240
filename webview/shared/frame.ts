// Frame pacing for the webviews: render requests coalesced into one call per animation frame, and
// background work (filtering, counting) that gives each frame only a share of its time.

/** Returns `schedule()`: the first call in a frame queues `render` for the next one, later calls are free. */
export function frameScheduler(render: () => void): () => void {
  let frame = 0;
  return () => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };
}

/**
 * Background work a frame may hold, all sliced work together: past it the work waits for the next
 * frame to be painted. A message task alone does not wait for it: Chromium runs the tasks already
 * queued before it renders, so slices chained by messages held frames 50–70 ms.
 */
const BACKGROUND_MS_PER_FRAME = 8;
/** A hidden page paints no frames: background work goes on after this long instead. */
const NO_FRAME_MS = 50;

let spentThisFrame = 0;
let frameWatched = false;

/** A task of its own, without setTimeout's 4 ms clamp. */
function messageTask(run: () => void): void {
  const { port1, port2 } = new MessageChannel();
  port1.addEventListener('message', () => run(), { once: true });
  port1.start();
  port2.postMessage(null);
}

/** The next frame is painted (or NO_FRAME_MS passed), then a task of its own. */
export function afterNextFrame(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      messageTask(resolve);
    };
    const timer = setTimeout(go, NO_FRAME_MS);
    requestAnimationFrame(go);
  });
}

/**
 * Called between two slices of background work that took `sliceMs`: resolves in a new task at once
 * while this frame's share remains, else after the next frame.
 */
export function yieldAfterSlice(sliceMs: number): Promise<void> {
  spentThisFrame += sliceMs;
  if (!frameWatched) {
    frameWatched = true;
    requestAnimationFrame(() => {
      frameWatched = false;
      spentThisFrame = 0;
    });
  }
  if (spentThisFrame < BACKGROUND_MS_PER_FRAME) return new Promise((resolve) => messageTask(resolve));
  return afterNextFrame();
}
