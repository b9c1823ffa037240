import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultViewerState, DEFAULT_FILTERS, parseHostToViewer, parseViewerToHost, showStepArgsSchema } from '../../../src/protocol/viewer-messages';
import { parse } from '../../../src/protocol/schema';
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
      {
        type: 'history',
        promptId: 'p',
        points: [{ step: 1, chains: 4, answerRate: 0.5, keyStepRecall: 0.25, meanReward: 1.2 }],
        groups: [{ step: 1, index: 0, group: fixtureGroup(0) }],
        append: false,
      },
      { type: 'state', state: { ...state, compare: { ...run, id: 'b', dir: '/runs/b' } }, steps: [3] },
      {
        type: 'compare',
        comparison: {
          run: { ...run, id: 'b', dir: '/runs/b' },
          shownStep: 45,
          step: 5,
          shownOffset: 0,
          comparedOffset: 40,
          hasStep: false,
          nearest: [4, 6],
          pairs: [
            { promptId: 'fixture-0', shown: 0, compared: { step: 4, index: 2, group: fixtureGroup(0) }, at: 'nearest' },
            { promptId: 'fixture-1', shown: 1, compared: null, at: 'none' },
          ],
        },
      },
    ])
      assert.ok(parseHostToViewer(m).ok, JSON.stringify(m).slice(0, 80));
    for (const m of [
      { type: 'ready' },
      { type: 'setStep', step: 'latest' },
      { type: 'setStep', step: 4 },
      {
        type: 'setFilters',
        filters: {
          ...DEFAULT_FILTERS,
          validity: 'valid',
          violation: 'STEP_GAP',
          search: 'x',
          spread: 'zero',
          rewardMin: 0.5,
          flag: 'prompt-copy',
          keyStep: { index: 1, matched: false },
        },
      },
      { type: 'setSort', sort: { key: 'engine:score', descending: false } },
      { type: 'showHistory', promptId: null },
      { type: 'pickPrompt' },
      { type: 'setLayout', layout: 'stacked' },
      { type: 'pickRun' },
      { type: 'openInEditor', step: 3, group: 0, sample: 2 },
      { type: 'openInEditor', step: 3, group: 0, sample: 2, compared: true },
      { type: 'pickCompare' },
      { type: 'endCompare' },
    ])
      assert.ok(parseViewerToHost(m).ok, JSON.stringify(m));
  });

  it('names the bad field', () => {
    rejects(parseViewerToHost({ type: 'setStep', step: -1 }), /^step: expected an integer ≥ 0 or "latest"/);
    rejects(parseViewerToHost({ type: 'setFilters', filters: { ...DEFAULT_FILTERS, validity: 'maybe' } }), /^filters\.validity: /);
    rejects(parseViewerToHost({ type: 'setFilters', filters: { ...DEFAULT_FILTERS, flag: 'lazy' } }), /^filters\.flag: expected one of/);
    rejects(parseViewerToHost({ type: 'setSort', sort: { key: 'engine:', descending: true } }), /^sort\.key: expected one of none, total/);
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
    const pair = { promptId: 'p', shown: 0, compared: null, at: 'later' };
    const comparison = {
      run: { id: 'b', dir: '/b', status: 'completed', phase: null, step: 1, totalSteps: 1, rlStartsAt: null },
      shownStep: 1,
      step: 1,
      shownOffset: 0,
      comparedOffset: 0,
    };
    rejects(parseHostToViewer({ type: 'compare', comparison: { ...comparison, hasStep: true, nearest: [], pairs: [pair] } }), /^comparison\.pairs\[0\]\.at: expected one of/);
    rejects(parseViewerToHost({ type: 'openInEditor', step: 1, group: 0, sample: 0, compared: 'yes' }), /^compared: /);
  });
});

describe('viewer messages: stepgrpo.viewer.showStep arguments', () => {
  it('takes a run folder and a step, optionally a prompt and some filters', () => {
    assert.ok(parse(showStepArgsSchema, { runDir: '/r', step: 3 }).ok);
    assert.ok(parse(showStepArgsSchema, { runDir: '/r', step: 3, promptId: 'p', filter: { violation: 'STEP_GAP', keyStep: { index: 0, matched: true } } }).ok);
  });

  it('names the bad field, and a filter that does not exist', () => {
    const bad = (value: unknown, expected: RegExp) => {
      const r = parse(showStepArgsSchema, value, '', 'argument');
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(describeIssue(r.issue), expected);
    };
    bad(undefined, /^argument: expected an object/);
    bad({ runDir: '/r', step: -2 }, /^step: /);
    bad({ runDir: '/r', step: 1, filter: { violaton: 'X' } }, /^filter\.violaton: unknown field/);
  });
});
