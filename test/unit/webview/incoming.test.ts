import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostToViewer } from '../../../src/protocol/viewer-messages';
import { mergeAppends } from '../../../webview/rollout-viewer/incoming';
import { fixtureGroup } from '../../support/rollout-fixtures';

const g = (i: number) => fixtureGroup(i, ['correct']);
const rollouts = (step: number, ids: number[], append: boolean): HostToViewer => ({ type: 'rollouts', step, groups: ids.map(g), append });
const history = (promptId: string, steps: number[], append: boolean): HostToViewer => ({
  type: 'history',
  promptId,
  points: [],
  groups: steps.map((step) => ({ step, index: 0, group: g(step) })),
  append,
});
const summary = (ms: HostToViewer[]) =>
  ms.map((m) =>
    m.type === 'rollouts'
      ? `r${m.step}${m.append ? '+' : ''}:${m.groups.map((x) => x.promptId).join(',')}`
      : m.type === 'history'
        ? `h${m.promptId}${m.append ? '+' : ''}:${m.groups.map((x) => x.step).join(',')}`
        : m.type,
  );

describe('viewer incoming messages', () => {
  it('merges each run of appends to one step, or one prompt’s history, into the message before it; keeps the order', () => {
    const notice: HostToViewer = { type: 'notice', level: 'info', message: 'x' };
    const merged = mergeAppends([
      rollouts(3, [0, 1], false),
      rollouts(3, [2], true),
      rollouts(3, [3], true),
      rollouts(4, [4], true),
      notice,
      rollouts(4, [5], true),
      history('p', [1, 2], false),
      history('p', [3], true),
      history('q', [4], true),
    ]);
    assert.deepEqual(summary(merged), ['r3:fixture-0,fixture-1,fixture-2,fixture-3', 'r4+:fixture-4', 'notice', 'r4+:fixture-5', 'hp:1,2,3', 'hq+:4']);
  });

  it('a replacing message is never merged into the one before it', () => {
    assert.deepEqual(summary(mergeAppends([rollouts(3, [0], false), rollouts(3, [1], false)])), ['r3:fixture-0', 'r3:fixture-1']);
  });
});
