// Render requests coalesced into one call per animation frame: however many changes arrive between
// two frames (a batch of points, a burst of scroll events), the page renders once.

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
