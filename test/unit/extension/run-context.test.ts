// The Runs view's row controls: which commands package.json's menus offer for each row context
// (runContext). A launched engine or a followed import offers Stop, and neither Pause nor Checkpoint
// Now, which only a trainer understands.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { RUN_CONTEXT, runContext } from '../../../src/extension/runs/run-context';
import { initialRunState } from '../../../src/extension/runs/run-state';

interface MenuItem {
  command: string;
  when: string;
}

const menus = (JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuItem[]> } }).contributes.menus[
  'view/item/context'
]!;

/** The `viewItem` clause of a `when` (`viewItem == x` or `viewItem =~ /re/`) applied to a context value. */
function offers(item: MenuItem, context: string): boolean {
  const equal = /viewItem == ([\w.]+)/.exec(item.when);
  if (equal) return equal[1] === context;
  const match = /viewItem =~ \/(.+)\/(?:\s|$)/.exec(item.when);
  return match ? new RegExp(match[1]!).test(context) : false;
}

const commandsFor = (context: string): string[] => [...new Set(menus.filter((m) => offers(m, context)).map((m) => m.command))].sort();

describe('Runs view row controls', () => {
  it('an engine launched here or a followed import: live with Stop, no trainer controls', () => {
    const row = { ...initialRunState('verl-1', '/runs/verl-1', { status: 'running' }), stopOnly: true };
    assert.equal(runContext(row), RUN_CONTEXT.stopOnly);
    const offered = commandsFor(RUN_CONTEXT.stopOnly);
    assert.ok(offered.includes('stepgrpo.stopRun'), offered.join(', '));
    for (const trainerOnly of ['stepgrpo.pauseRun', 'stepgrpo.unpauseRun', 'stepgrpo.checkpointNow', 'stepgrpo.resumeRun']) assert.ok(!offered.includes(trainerOnly), trainerOnly);
  });

  it('stopping, then stopped: no Stop while stopping; Resume once stopped', () => {
    const run = { ...initialRunState('verl-1', '/runs/verl-1'), stopOnly: true };
    assert.equal(runContext({ ...run, status: 'stopping' }), RUN_CONTEXT.stopping);
    assert.ok(!commandsFor(RUN_CONTEXT.stopping).includes('stepgrpo.stopRun'));
    assert.equal(runContext({ ...run, status: 'stopped' }), RUN_CONTEXT.resumable);
    assert.ok(commandsFor(RUN_CONTEXT.resumable).includes('stepgrpo.resumeRun'));
  });

  it('trainer runs keep their controls; a run written elsewhere has no Stop', () => {
    const live = { ...initialRunState('demo-1', '/runs/demo-1', { status: 'running' }), live: true };
    assert.equal(runContext(live), RUN_CONTEXT.running);
    assert.deepEqual(
      commandsFor(RUN_CONTEXT.running).filter((c) => /stopRun|pauseRun|checkpointNow/.test(c)),
      ['stepgrpo.checkpointNow', 'stepgrpo.pauseRun', 'stepgrpo.stopRun'],
    );
    assert.equal(runContext({ ...live, status: 'paused' }), RUN_CONTEXT.paused);
    const elsewhere = { ...live, live: false };
    assert.equal(runContext(elsewhere), RUN_CONTEXT.external);
    assert.ok(!commandsFor(RUN_CONTEXT.external).includes('stepgrpo.stopRun'));
  });
});
