// Bench section `viewer` (DESIGN §11 `viewer.max_frame_ms`): the built Rollout viewer bundle in
// headless Chromium (test/support/viewer-page.ts) receives 10,000 scored chains (2,500 groups of
// G = 4) as a live run would send them, 100 chains per message every 16 ms, and is then scrolled
// with the wheel (120 px a frame), flung from top to bottom (a whole new screen of rows every frame)
// and through random jumps. Frame times are the intervals between
// requestAnimationFrame callbacks; the worst one is the number that says whether it stays smooth.
// Then a query is typed into the search field a key every 100 ms over all 10,000 chains
// (`viewer.search_max_frame_ms`: issue 10, ≤ 50 ms), and next/previous step through the hits.
// Then the analysis of issue 18 (test/bench/viewer-analysis.ts): sort, filters, the group alignment
// and a prompt's history over 500 steps, each driven as a person would, each its worst frame.
// On a shared, loaded machine a frame can also wait for the CPU, so the page's own main-thread work
// is reported beside it: the longest task (PerformanceObserver `longtask`, which sees tasks of
// 50 ms and more) and the main-thread busy time per frame (CDP Performance.getMetrics).
import type { BenchRow, BenchSection } from '../bench-section';
import { median, quantile } from '../bench-section';
import { defaultViewerState } from '../../../src/protocol/viewer-messages';
import { fixtureGroup } from '../../support/rollout-fixtures';
import { openViewerPage, viewerPageUnavailable } from '../../support/viewer-page';
import {
  ANALYSIS_DRIVER,
  HISTORY_STEPS,
  historyMessages,
  hostHistoryMs,
  INTERACTIONS,
  prepareHistory,
  runHistory,
  runInteractions,
  type InteractionResult,
} from '../viewer-analysis';

const GROUPS = 2500;
const GROUPS_PER_MESSAGE = 25;
const SCROLL_FRAMES = 400;
const JUMPS = 40;
/** A wheel or trackpad scroll: 120 px per frame (7,200 px/s at 60 Hz). */
const WHEEL_FRAMES = 300;
const WHEEL_PX = 120;
const REPS = 3;
const QUERY = 'together';
const KEY_MS = 100;
const HIT_STEPS = 10;

interface PhaseResult {
  frames: number[];
  maxRows: number;
  elapsedMs: number;
  /** Longest main-thread task of 50 ms or more during the phase; 0 when there was none. */
  longestTask: number;
}

// Runs in the page (a string: tsx would rewrite a function body with helpers the page lacks).
const DRIVER = `
window.__longest = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration); }).observe({ entryTypes: ['longtask'] });
window.__bench = {
  measure(work) {
    window.__longest = 0;
    return new Promise((resolve) => {
      const frames = [];
      let maxRows = 0;
      let last = performance.now();
      const started = last;
      let done = false;
      const tick = (t) => {
        frames.push(t - last);
        last = t;
        maxRows = Math.max(maxRows, document.querySelectorAll('.virtual-row').length);
        if (!done) requestAnimationFrame(tick);
        else resolve({ frames, maxRows, elapsedMs: performance.now() - started, longestTask: window.__longest });
      };
      requestAnimationFrame(tick);
      // A phase that throws still ends (its frames are kept), so the bench never hangs on a broken page.
      work().catch((e) => console.error(e)).then(() => new Promise((r) => setTimeout(r, 300))).then(() => (done = true));
    });
  },
  append(groups, perMessage) {
    return this.measure(async () => {
      for (let i = 0; i < groups.length; i += perMessage) {
        window.postMessage({ type: 'rollouts', step: 1, groups: groups.slice(i, i + perMessage), append: i > 0 }, '*');
        await new Promise((r) => setTimeout(r, 16));
      }
    });
  },
  wheel(frames, px) {
    const list = document.getElementById('list');
    return this.measure(async () => {
      list.scrollTop = list.scrollHeight / 3;
      for (let f = 0; f < frames; f++) {
        list.scrollTop += px;
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
  },
  search(query, keyMs) {
    const field = document.querySelector('vscode-text-field');
    const label = document.getElementById('hit-label');
    return this.measure(async () => {
      for (let i = 1; i <= query.length; i++) {
        field.value = query.slice(0, i);
        field.dispatchEvent(new Event('input'));
        await new Promise((r) => setTimeout(r, keyMs));
      }
      // The filter has run once the hit label names the matches (bounded: a broken search ends the phase).
      for (let f = 0; f < 600 && !/matching/.test(label.textContent); f++) await new Promise((r) => requestAnimationFrame(r));
    });
  },
  navigate(hitSteps, keyMs) {
    return this.measure(async () => {
      for (let i = 0; i < hitSteps; i++) {
        document.getElementById(i % 3 === 2 ? 'prev-hit' : 'next-hit').click();
        await new Promise((r) => setTimeout(r, keyMs));
      }
    });
  },
  scroll(frames, jumps) {
    const list = document.getElementById('list');
    return this.measure(async () => {
      list.scrollTop = 0;
      const stepPx = list.scrollHeight / frames;
      for (let f = 0; f < frames; f++) {
        list.scrollTop = f * stepPx;
        await new Promise((r) => requestAnimationFrame(r));
      }
      let seed = 7;
      for (let j = 0; j < jumps; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        list.scrollTop = (seed / 2147483648) * list.scrollHeight;
        await new Promise((r) => requestAnimationFrame(r));
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
  },
};`;

/** Each page load's value, in order (the medians hide how far apart they are). */
const perLoad = (values: readonly number[]): string => values.map((v) => v.toFixed(1)).join(' / ');

const section: BenchSection = {
  name: 'viewer',
  async run() {
    const why = viewerPageUnavailable();
    if (why) return { skipped: why };
    const groups = Array.from({ length: GROUPS }, (_, i) => fixtureGroup(i));
    const chains = groups.reduce((a, g) => a + g.samples.length, 0);
    const appendMax: number[] = [];
    const scrollMax: number[] = [];
    const scrollP95: number[] = [];
    const appendP95: number[] = [];
    const longestTask: number[] = [];
    const busyPerFrame: number[] = [];
    const wheelMax: number[] = [];
    const wheelP95: number[] = [];
    const wheelBusy: number[] = [];
    const searchMax: number[] = [];
    const searchTask: number[] = [];
    const navMax: number[] = [];
    const searchP95: number[] = [];
    let searchStatus = '';
    let maxRows = 0;
    const analysis: Record<string, InteractionResult>[] = [];
    const history: InteractionResult[] = [];
    const historyBusy: number[] = [];
    const historyAt = historyMessages((step) => groups[step % groups.length]!);
    for (let rep = 0; rep < REPS; rep++) {
      const viewer = await openViewerPage({ width: 1400, height: 900 });
      try {
        await viewer.page.evaluate(DRIVER);
        await viewer.page.evaluate(ANALYSIS_DRIVER);
        const cdp = await viewer.page.context().newCDPSession(viewer.page);
        await cdp.send('Performance.enable');
        const busy = async () => {
          const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
          return metrics.find((m) => m.name === 'TaskDuration')!.value * 1000;
        };
        await viewer.send({
          type: 'state',
          state: { ...defaultViewerState(), run: { id: 'bench', dir: '/bench', status: 'running', phase: 'rl', step: 1, totalSteps: 10, rlStartsAt: 0 } },
          steps: [1],
        });
        await viewer.page.evaluate(`window.__groups = ${JSON.stringify(groups)}`);
        const append = (await viewer.page.evaluate(`window.__bench.append(window.__groups, ${GROUPS_PER_MESSAGE})`)) as PhaseResult;
        const status = String(await viewer.page.evaluate(`document.getElementById('status').textContent`));
        if (!status.startsWith(`${chains} of ${chains} chains`)) throw new Error(`the viewer shows "${status}" after appending ${chains} chains`);
        const scrollStart = await busy();
        const scroll = (await viewer.page.evaluate(`window.__bench.scroll(${SCROLL_FRAMES}, ${JUMPS})`)) as PhaseResult;
        const scrollBusy = (await busy()) - scrollStart;
        busyPerFrame.push(scrollBusy / scroll.frames.length);
        const wheelStart = await busy();
        const wheel = (await viewer.page.evaluate(`window.__bench.wheel(${WHEEL_FRAMES}, ${WHEEL_PX})`)) as PhaseResult;
        wheelBusy.push(((await busy()) - wheelStart) / wheel.frames.length);
        wheelMax.push(Math.max(...wheel.frames));
        wheelP95.push(quantile(wheel.frames, 0.95));
        const search = (await viewer.page.evaluate(`window.__bench.search(${JSON.stringify(QUERY)}, ${KEY_MS})`)) as PhaseResult;
        searchMax.push(Math.max(...search.frames));
        searchP95.push(quantile(search.frames, 0.95));
        searchTask.push(search.longestTask);
        const nav = (await viewer.page.evaluate(`window.__bench.navigate(${HIT_STEPS}, ${KEY_MS})`)) as PhaseResult;
        navMax.push(Math.max(...nav.frames));
        searchStatus = String(
          await viewer.page.evaluate(
            `document.getElementById('status').textContent + ' · ' + document.getElementById('hit-label').textContent + ' · ' + document.querySelectorAll('mark.hit').length + ' marks in view'`,
          ),
        );
        // Clear the search (and wait for the 10,000 chains again) before the analysis phases.
        await viewer.page.evaluate(`window.__bench.interact(() => { const f = document.querySelector('vscode-text-field'); f.value = ''; f.dispatchEvent(new Event('input')); })`);
        analysis.push(await runInteractions(viewer.page));
        await prepareHistory(viewer.page, historyAt);
        const historyStart = await busy();
        history.push(await runHistory(viewer.page));
        historyBusy.push((await busy()) - historyStart);
        longestTask.push(Math.max(append.longestTask, scroll.longestTask, wheel.longestTask, search.longestTask, nav.longestTask));
        appendMax.push(Math.max(...append.frames));
        appendP95.push(quantile(append.frames, 0.95));
        scrollMax.push(Math.max(...scroll.frames));
        scrollP95.push(quantile(scroll.frames, 0.95));
        maxRows = Math.max(maxRows, append.maxRows, scroll.maxRows);
      } finally {
        await viewer.close();
      }
    }
    const rows: BenchRow[] = [
      {
        key: 'viewer.max_frame_ms',
        value: median(appendMax.map((a, i) => Math.max(a, scrollMax[i]!, wheelMax[i]!))),
        note: `worst frame while appending and scrolling ${chains} chains (median of ${REPS} page loads)`,
      },
      {
        key: 'viewer.append_max_frame_ms',
        value: median(appendMax),
        note: `${GROUPS / GROUPS_PER_MESSAGE} messages of ${GROUPS_PER_MESSAGE * 4} chains, 16 ms apart; per page load ${perLoad(appendMax)}`,
      },
      { key: 'viewer.append_p95_frame_ms', value: median(appendP95) },
      { key: 'viewer.wheel_max_frame_ms', value: median(wheelMax), note: `${WHEEL_FRAMES} frames of ${WHEEL_PX} px (wheel / trackpad)` },
      { key: 'viewer.wheel_p95_frame_ms', value: median(wheelP95) },
      { key: 'viewer.wheel_busy_ms_per_frame', value: median(wheelBusy), note: 'main-thread busy time per frame (CDP TaskDuration)' },
      { key: 'viewer.scroll_max_frame_ms', value: median(scrollMax), note: `fling: ${SCROLL_FRAMES} frames top→bottom (a new screen of rows every frame) + ${JUMPS} random jumps` },
      { key: 'viewer.scroll_p95_frame_ms', value: median(scrollP95) },
      { key: 'viewer.max_task_ms', value: median(longestTask), note: 'longest main-thread task (0: none reached 50 ms)' },
      { key: 'viewer.scroll_busy_ms_per_frame', value: median(busyPerFrame), note: 'main-thread busy time per fling frame (CDP TaskDuration)' },
      { key: 'viewer.max_rows_in_dom', value: maxRows, note: `group rows mounted at once, of ${GROUPS}` },
      {
        key: 'viewer.search_max_frame_ms',
        value: median(searchMax),
        note: `typing "${QUERY}" (a key every ${KEY_MS} ms) over ${chains} chains until the matches show; ends at: ${searchStatus}`,
      },
      { key: 'viewer.search_max_task_ms', value: median(searchTask), note: 'longest main-thread task while typing (0: none reached 50 ms)' },
      { key: 'viewer.search_nav_max_frame_ms', value: median(navMax), note: `${HIT_STEPS} next/previous presses, ${KEY_MS} ms apart (each a jump to another row)` },
      { key: 'viewer.search_p95_frame_ms', value: median(searchP95) },
      ...INTERACTIONS.flatMap((i): BenchRow[] => {
        const runs = analysis.map((a) => a[i.name]!);
        const last = runs.at(-1)!.rendered;
        return [
          {
            key: `viewer.${i.name}_max_frame_ms`,
            value: median(runs.map((r) => Math.max(...r.frames))),
            note: `key "${i.key}": ${i.what}; shows ${last ? `${last.rows} rows, ${last.chains} chains, layout ${last.layout}` : 'nothing (no rendered report)'}`,
          },
          { key: `viewer.${i.name}_max_task_ms`, value: median(runs.map((r) => r.longestTask)), note: 'longest main-thread task (0: none reached 50 ms)' },
        ];
      }),
      {
        key: 'viewer.history_max_frame_ms',
        value: median(history.map((r) => Math.max(...r.frames))),
        note: `a prompt's history: ${HISTORY_STEPS} steps of its group posted by the host, chart and list (${history.at(-1)?.rendered?.historySteps ?? 0} chart points shown); per page load ${perLoad(history.map((r) => Math.max(...r.frames)))}`,
      },
      { key: 'viewer.history_max_task_ms', value: median(history.map((r) => r.longestTask)) },
      {
        key: 'viewer.history_busy_ms',
        value: median(historyBusy),
        note: `main-thread busy time from the first part posted to the last shown (+300 ms; CDP TaskDuration; the posting's own cost included); per page load ${perLoad(historyBusy)}`,
      },
      (() => {
        const host = hostHistoryMs(groups);
        return {
          key: 'viewer.history_host_ms',
          value: host.ms,
          note: `host: the prompt's ${host.groups} groups from a store of ${HISTORY_STEPS} steps × ${GROUPS} groups, and its chart points (Node)`,
        };
      })(),
    ];
    return rows;
  },
};

export default section;
