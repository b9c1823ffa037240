// The built Rollout viewer in headless Chromium, in the document the extension serves (strict CSP
// with a nonce): the defects a new user hit, each as the page shows it (issue 18 item 9).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultViewerState } from '../../../src/protocol/viewer-messages';
import { fixtureGroup } from '../../support/rollout-fixtures';
import { openViewerPage, viewerPageUnavailable, type ViewerPage } from '../../support/viewer-page';

const why = viewerPageUnavailable();
const run = { id: 'page', dir: '/page', status: 'completed', phase: null, step: 2, totalSteps: 2, rlStartsAt: 0 } as const;
const CHAT_TEMPLATE = `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${'Solve the problem step by step. '.repeat(120)}<|im_end|>\n<|im_start|>assistant\n`;

describe('Rollout viewer page (headless Chromium, real CSP)', { skip: why ?? false }, () => {
  let viewer: ViewerPage;
  const until = async (expression: string, what: string) => {
    for (let i = 0; i < 200; i++) {
      if (await viewer.page.evaluate(expression)) return;
      await viewer.page.waitForTimeout(25);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  before(async () => {
    viewer = await openViewerPage({ width: 1000, height: 800 }, 'light');
    await viewer.send({ type: 'state', state: { ...defaultViewerState(), run }, steps: [2] });
    const long = fixtureGroup(1);
    long.samples[0] = { ...long.samples[0]!, text: `${long.samples[0]!.text}\n${'Checking again. '.repeat(400)}` };
    await viewer.send({ type: 'rollouts', step: 2, append: false, groups: [{ ...fixtureGroup(0), promptId: CHAT_TEMPLATE, prompt: CHAT_TEMPLATE }, long] });
    await until(`document.querySelectorAll('.group').length === 2`, 'two groups');
  });
  after(() => viewer?.close());

  it('loads without a console error (the toolkit’s <style> probe has the nonce)', () => {
    assert.deepEqual(viewer.errors(), []);
  });

  it('a raw chat template as the prompt id does not squeeze the group header: one line, the chain count in full', async () => {
    const head = JSON.parse(
      String(
        await viewer.page.evaluate(`(() => {
          const head = document.querySelector('.group .group-head');
          const count = head.querySelector('.count');
          return JSON.stringify({ height: head.getBoundingClientRect().height, countWidth: count.getBoundingClientRect().width, countNeeds: count.scrollWidth, right: count.getBoundingClientRect().right, width: head.getBoundingClientRect().width });
        })()`),
      ),
    ) as { height: number; countWidth: number; countNeeds: number; right: number; width: number };
    assert.ok(head.height < 30, `header ${head.height} px high`);
    assert.ok(head.countWidth + 1 >= head.countNeeds && head.right <= head.width + 12, JSON.stringify(head));
    const prompt = String(await viewer.page.evaluate(`document.querySelector('.group .prompt').textContent`));
    assert.ok(prompt.length <= 401, `the prompt is cut (${prompt.length} characters shown)`);
  });

  it('a long chain: Show all, then Show less', async () => {
    await viewer.page.evaluate(`document.querySelector('.chain .show-all').click()`);
    await until(`!!document.querySelector('.chain .show-less')`, 'Show less');
    await viewer.page.evaluate(`document.querySelector('.chain .show-less').click()`);
    await until(`!document.querySelector('.chain .show-less') && !!document.querySelector('.chain .show-all')`, 'collapsed again');
  });
});
