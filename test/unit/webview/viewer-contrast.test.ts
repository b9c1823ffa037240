// WCAG contrast of the Rollout viewer's own text colours (media/rollout-viewer.css, one set per
// theme kind) on the backgrounds they sit on: the editor and the widget (chain card) background
// of VS Code's default themes, as their theme files define them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { contrastRatio as contrast } from '../../../webview/metrics/contrast';

const css = fs.readFileSync(path.resolve(__dirname, '../../../media/rollout-viewer.css'), 'utf8');

/** editor.background and editorWidget.background of the default themes, per theme kind (body class). */
const BACKGROUNDS: Record<string, Record<string, string>> = {
  'vscode-dark': { 'Dark Modern editor': '#1f1f1f', 'Dark Modern widget': '#202020', 'Dark+ editor': '#1e1e1e', 'Dark+ widget': '#252526' },
  'vscode-light': { 'Light Modern editor': '#ffffff', 'Light Modern widget': '#f8f8f8', 'Light+ editor': '#ffffff', 'Light+ widget': '#f3f3f3' },
  'vscode-high-contrast': { 'HC Black editor': '#000000', 'HC Black widget': '#0c141f' },
  'vscode-high-contrast-light': { 'HC Light editor': '#ffffff', 'HC Light widget': '#ffffff' },
};
const TEXT_VARS = ['--sg-good', '--sg-bad', '--sg-warn'];

/** The custom properties a rule sets, by selector (`body`, `body.vscode-light`, …). */
function variables(selector: string): Record<string, string> {
  const escaped = selector.replace(/[.]/g, '\\.');
  const block = new RegExp(`(?:^|\\n)${escaped}\\s*\\{([^}]*)\\}`).exec(css)?.[1] ?? '';
  return Object.fromEntries([...block.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
}

describe('viewer text colours: WCAG AA (4.5:1) in the default light, dark and high-contrast themes', () => {
  it('the contrast formula agrees with known pairs', () => {
    assert.equal(contrast('#000000', '#ffffff').toFixed(1), '21.0');
    assert.equal(contrast('#777777', '#ffffff').toFixed(2), '4.48');
  });

  for (const [kind, backgrounds] of Object.entries(BACKGROUNDS)) {
    it(`${kind}: the advantage, ✓/✗ and warning (r_val 0) colours`, () => {
      // The dark set is the default (body); each other kind overrides it.
      const vars = { ...variables('body'), ...(kind === 'vscode-dark' ? {} : variables(`body.${kind}`)) };
      const low: string[] = [];
      for (const name of TEXT_VARS) {
        const colour = vars[name];
        assert.match(colour ?? '', /^#[0-9a-f]{6}$/i, `${name} for ${kind} is not a #rrggbb colour in media/rollout-viewer.css`);
        for (const [where, bg] of Object.entries(backgrounds)) {
          const ratio = contrast(colour!, bg);
          if (ratio < 4.5) low.push(`${name} ${colour} on ${where} ${bg}: ${ratio.toFixed(2)}:1`);
        }
      }
      assert.deepEqual(low, []);
    });
  }

  it('the advantage, the ✓/✗ badges and the r_val 0 warning use these colours', () => {
    for (const rule of [
      '.badge.ok { color: var(--sg-good)',
      '.badge.bad { color: var(--sg-bad)',
      '.metric.invalid { color: var(--sg-warn)',
      '.advantage.positive { color: var(--sg-good)',
      '.advantage.negative { color: var(--sg-bad)',
    ])
      assert.ok(css.includes(rule), rule);
  });
});
