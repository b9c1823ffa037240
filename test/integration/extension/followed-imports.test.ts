// A followed engine-folder import across windows (issue 18 item 9): a window closed or reloaded while
// following leaves the run without `done`, the next window of the workspace (a new FollowedImports
// on the same workspace state) follows it again from its cursor, so the step files written in
// between and after are imported and no chain twice; Stop (the Runs view's registry) writes
// `done: stopped`, shows `stopping` until then, and is not undone by the next window.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FollowedImports, FOLLOWED_KEY, type ChoiceStore, type FollowedFolder } from '../../../src/extension/import/followed-imports';
import { RUN_CONTEXT, runContext } from '../../../src/extension/runs/run-context';
import { readRunDirectory } from '../../../src/extension/runs/run-directory-reader';
import { StoppableRuns } from '../../../src/extension/runs/stoppable-runs';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { EngineFolderImport } from '../../../src/server/import/engine-folder-import';
import { readFolderImport } from '../../../src/server/import/import-cursor';
import { until } from '../../e2e/lib/until.mjs';
import { writeVerlStep } from '../../support/engine-folders';
import { tempDir } from '../../unit/extension/run-fixtures';

const work = tempDir('stepgrpo-followed-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A workspace's state (vscode.Memento) kept across windows. */
function workspaceState(): ChoiceStore & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return { values, get: <T>(key: string) => values.get(key) as T | undefined, update: async (key, value) => void values.set(key, value) };
}

const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** One window: its Runs view registry and its follows. */
function openWindow(state: ChoiceStore) {
  const stoppable = new StoppableRuns();
  const follows = new FollowedImports({ state, stoppable, log: silent, runsChanged: () => {}, pollMs: 50, resumeTries: 1 });
  return { stoppable, follows };
}

/** How the window opens a saved follow: from its cursor, with the preset it was imported with (import-command.ts). */
const openSaved = ({ folder, runDir }: FollowedFolder) => EngineFolderImport.create({ source: folder, runDir, preset: readFolderImport(runDir)?.preset ?? 'stepgrpo' }, true);

function events(runDir: string): TrainerEvent[] {
  return fs
    .readFileSync(path.join(runDir, RUN_FILES.events), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TrainerEvent);
}

/** Chains per step over every `rollouts` event: a step imported twice counts twice. */
function chainsPerStep(runDir: string): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const e of events(runDir)) if (e.type === 'rollouts') counts[e.step] = (counts[e.step] ?? 0) + e.groups.reduce((n, g) => n + g.samples.length, 0);
  return counts;
}

const imported = (runDir: string, step: number) =>
  until(
    () => chainsPerStep(runDir)[step] ?? 0,
    (n) => n > 0,
    20_000,
    `step ${step} imported into ${runDir}`,
    20,
  );

/** A workspace, a verl folder `name` (with step 1 unless `empty`) and the run folder it is imported into. */
function scenario(name: string, { empty = false } = {}) {
  const source = path.join(work, name);
  if (empty) fs.mkdirSync(source, { recursive: true });
  else writeVerlStep(source, 1);
  return { state: workspaceState(), source, runDir: path.join(work, 'runs', `import-${name}`) };
}

/** A window following `source` into a new run `runDir`, as Import Rollouts → Follow does. */
async function followInNewWindow(state: ChoiceStore, source: string, runDir: string, kind?: 'verl') {
  const window = openWindow(state);
  const run = await EngineFolderImport.create({ source, runDir, preset: 'stepgrpo', ...(kind ? { kind } : {}) }, true);
  await run.poll();
  await window.follows.follow(run, source);
  return window;
}

/** The window closes (Reload Window); resolves once it has let go of the run. */
async function closeWindow(window: ReturnType<typeof openWindow>, runDir: string): Promise<void> {
  window.follows.dispose();
  await until(
    () => fs.existsSync(path.join(runDir, RUN_FILES.lock)),
    (held) => !held,
    10_000,
    'the closing window to release the run',
  );
}

describe('followed imports across windows', () => {
  it('Reload Window: the next window follows again from the cursor; step files written meanwhile and after are imported once', async () => {
    const { state, source, runDir } = scenario('verl-reload');

    const first = await followInNewWindow(state, source, runDir);
    assert.deepEqual(state.values.get(FOLLOWED_KEY), [{ folder: source, runDir }], 'the choice to follow is in the workspace state');
    const live = first.stoppable.shown((await readRunDirectory(runDir))!);
    assert.equal(runContext(live), RUN_CONTEXT.stopOnly, 'the Runs view row is live with Stop');
    writeVerlStep(source, 2);
    await imported(runDir, 2);

    await closeWindow(first, runDir);
    assert.ok(!events(runDir).some((e) => e.type === 'done'), 'a closed window does not stop following: no `done`');
    writeVerlStep(source, 3); // while no window follows

    const second = openWindow(state);
    const outcomes = await second.follows.resumeSaved(openSaved);
    assert.deepEqual(
      outcomes.map((o) => ('run' in o ? o.runDir : o.error)),
      [runDir],
    );
    assert.ok(second.follows.isFollowing(runDir));
    assert.equal(runContext(second.stoppable.shown((await readRunDirectory(runDir))!)), RUN_CONTEXT.stopOnly);
    await imported(runDir, 3);
    writeVerlStep(source, 4); // after the reload
    await imported(runDir, 4);
    assert.deepEqual(chainsPerStep(runDir), { 1: 8, 2: 8, 3: 8, 4: 8 }, 'every chain once');

    // Stop from the Runs view: `stopping` while it ends, then the folder says stopped.
    const following = (await readRunDirectory(runDir))!;
    const seen: string[] = [];
    const sub = second.stoppable.onDidChange(() => seen.push(second.stoppable.has(runDir) ? second.stoppable.shown(following).status : 'ended'));
    assert.equal(await second.stoppable.stop(runDir), true);
    sub.dispose();
    assert.deepEqual(seen, ['stopping', 'ended']);
    const stopped = second.stoppable.shown((await readRunDirectory(runDir))!);
    assert.equal(stopped.status, 'stopped');
    assert.equal(runContext(stopped), RUN_CONTEXT.resumable);
    assert.deepEqual(state.values.get(FOLLOWED_KEY), [], 'Stop forgets the choice');
    writeVerlStep(source, 5);

    const third = openWindow(state);
    assert.deepEqual(await third.follows.resumeSaved(openSaved), [], 'a stopped follow stays stopped in the next window');
    assert.equal(chainsPerStep(runDir)[5], undefined);
  });

  it('a follow that had no step file yet goes on too (no cursor: config.json says what it follows)', async () => {
    const { state, source, runDir } = scenario('verl-empty', { empty: true });
    const first = await followInNewWindow(state, source, runDir, 'verl');
    await closeWindow(first, runDir);

    const second = openWindow(state);
    assert.equal((await second.follows.resumeSaved(openSaved)).length, 1);
    writeVerlStep(source, 1);
    await imported(runDir, 1);
    await second.follows.stop(runDir);
    assert.deepEqual(chainsPerStep(runDir), { 1: 8 });
  });

  it('a follow that cannot go on (its folder is gone) is reported with the reason and forgotten', async () => {
    const { state, source, runDir } = scenario('verl-gone');
    const first = await followInNewWindow(state, source, runDir);
    await closeWindow(first, runDir);
    fs.rmSync(source, { recursive: true });

    const outcomes = await openWindow(state).follows.resumeSaved(openSaved);
    assert.equal(outcomes.length, 1);
    assert.ok('error' in outcomes[0]!);
    assert.match(outcomes[0].error, /not a folder: .*verl-gone/);
    assert.deepEqual(state.values.get(FOLLOWED_KEY), []);
  });
});
