// A test-only crash point for the fault-injection test (test/integration/trainer-faults.test.ts):
// STEPGRPO_FAULT_AT=<point>:<n> makes the trainer kill itself with SIGKILL (as kill -9 would) the
// n-th time it reaches <point>. It reaches moments an outside kill hits only by luck, such as
// between a checkpoint's files and their rename. Unset, it does nothing.
const spec = /^([a-z-]+):(\d+)$/.exec(process.env.STEPGRPO_FAULT_AT ?? '');
let reached = 0;

/** Inside a checkpoint's write (files written, folder not renamed), or between its folder and `latest` naming it. */
export type FaultPoint = 'checkpoint-write' | 'checkpoint-pointer';

export function faultPoint(point: FaultPoint): void {
  if (spec?.[1] === point && ++reached === Number(spec[2])) process.kill(process.pid, 'SIGKILL');
}
