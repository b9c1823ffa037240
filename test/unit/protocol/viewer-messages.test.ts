import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultViewerState, parseHostToViewer, parseViewerToHost } from '../../../src/protocol/viewer-messages';
import type { GuardResult } from '../../../src/protocol/message-guard';
import { describeIssue } from '../../../src/protocol/schema';
import { fixtureGroup } from '../../support/rollout-fixtures';

const rejects = (r: GuardResult<unknown>, expected: RegExp) => {
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(describeIssue(r.issue), expected);
};

describe('viewer messages: guards', () => {
  it('accepts every well-formed message of both directions', () => {
    const run = { id: 'r', dir: '/runs/r', status: 'paused', phase: 'rl', step: 3, totalSteps: 10, rlStartsAt: 0 };
    const state = { ...defaultViewerState(), run, step: 3 };
    for (const m of [
      { type: 'state', state, steps: [1, 2, 3] },
      { type: 'run', run: { ...run, status: 'interrupted', phase: null, totalSteps: null, rlStartsAt: null } },
      { type: 'steps', steps: [] },
      { type: 'rollouts', step: 2, append: false, groups: [fixtureGroup(0)] },
      { type: 'notice', level: 'warning', message: 'x' },
    ])
      assert.ok(parseHostToViewer(m).ok, JSON.stringify(m).slice(0, 80));
    for (const m of [
      { type: 'ready' },
      { type: 'setStep', step: 'latest' },
      { type: 'setStep', step: 4 },
      { type: 'setFilters', filters: { validity: 'valid', correctness: 'all', violation: 'STEP_GAP', search: 'x' } },
      { type: 'setLayout', layout: 'stacked' },
      { type: 'pickRun' },
      { type: 'openInEditor', step: 3, group: 0, sample: 2 },
    ])
      assert.ok(parseViewerToHost(m).ok, JSON.stringify(m));
  });

  it('names the bad field', () => {
    rejects(parseViewerToHost({ type: 'setStep', step: -1 }), /^step: expected an integer ≥ 0 or "latest"/);
    rejects(parseViewerToHost({ type: 'setFilters', filters: { validity: 'maybe', correctness: 'all', violation: null, search: '' } }), /^filters\.validity: /);
    rejects(parseViewerToHost({ type: 'setLayout', layout: 'grid' }), /layout/);
    rejects(parseViewerToHost({ type: 'launch' }), /unknown viewer→host message type "launch"/);
    rejects(
      parseHostToViewer({ type: 'run', run: { id: 'r', dir: '/r', status: 'dead', phase: null, step: 0, totalSteps: null, rlStartsAt: null } }),
      /^run\.status: expected one of/,
    );
    rejects(parseViewerToHost({ type: 'openInEditor', step: 1, group: -1, sample: 0 }), /^group: /);
    rejects(parseViewerToHost('ready'), /expected an object, got string/);
    rejects(parseHostToViewer({ type: 'state', state: { ...defaultViewerState(), step: 'first' }, steps: [] }), /state\.step/);
    const group = fixtureGroup(1);
    const broken = { ...group, samples: [group.samples[0], { ...group.samples[1], rewards: { total: 1 } }] };
    rejects(parseHostToViewer({ type: 'rollouts', step: 1, append: true, groups: [group, broken] }), /^groups\[1\]\.samples\[1\]\.rewards\.r_acc: .*missing/);
    rejects(parseHostToViewer({ type: 'notice', level: 'fatal', message: 'x' }), /level/);
  });
});
