// Empty states are plain text where they are shown (viewsWelcome renders only links; the viewer
// sets textContent / a CSS attr()): a backtick would show as a literal backtick.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { emptyListText, phaseBanner } from '../../../webview/rollout-viewer/run-banner';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { viewsWelcome: { view: string; contents: string }[] };
};

describe('empty states: plain text, no Markdown backticks', () => {
  it('the welcome views of package.json', () => {
    for (const w of manifest.contributes.viewsWelcome) assert.doesNotMatch(w.contents, /`/, `${w.view}: ${w.contents}`);
  });

  it("the Rollout viewer's empty list and phase banner say why, in plain text", () => {
    const texts = [
      emptyListText({ loaded: 0, shown: 0, history: null, step: 4, hasRun: true }),
      emptyListText({ loaded: 3, shown: 0, history: null, step: 4, hasRun: true }),
      emptyListText({ loaded: 0, shown: 0, history: 'p-1', step: null, hasRun: true }),
      emptyListText({ loaded: 0, shown: 0, history: null, step: null, hasRun: false }),
      phaseBanner({ id: 'r', dir: '/r', status: 'running', phase: 'sft', step: 3, totalSteps: 10, rlStartsAt: 5 }, 0),
      phaseBanner({ id: 'r', dir: '/r', status: 'completed', phase: null, step: 3, totalSteps: 10, rlStartsAt: 5 }, 0),
    ];
    assert.deepEqual(texts.slice(0, 4), [
      'Step 4 has no rollouts.',
      'No chain passes the filters. Esc clears the prompt and key-step filters; the toolbar holds the others.',
      'Prompt p-1 has no chains in this run.',
      'No run selected. Choose run… picks one.',
    ]);
    for (const t of texts) assert.doesNotMatch(t ?? '', /`/);
    assert.equal(emptyListText({ loaded: 3, shown: 2, history: null, step: 4, hasRun: true }), null);
  });
});
