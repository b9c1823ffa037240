// Every text colour of the Metrics view reaches WCAG AA (4.5:1) on its background in the default
// light, dark and high-contrast themes; the contrast formula against WCAG's own examples.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AA_TEXT, contrastRatio, readableOn, TEXT_COLOURS } from '../../../webview/metrics/contrast';
import { DEFAULT_THEMES } from '../../fixtures/vscode-theme-colours';

describe('Metrics view text contrast', () => {
  it('computes WCAG ratios (black on white 21, equal colours 1, #777 on white 4.48)', () => {
    assert.equal(contrastRatio('#000', '#fff'), 21);
    assert.equal(contrastRatio('#123456', '#123456'), 1);
    assert.equal(contrastRatio('#777777', '#ffffff').toFixed(2), '4.48');
    assert.ok(Math.abs(contrastRatio('rgba(0, 0, 0, 0.5)', '#ffffff') - contrastRatio('#808080', '#ffffff')) < 0.05);
  });

  for (const [theme, colours] of Object.entries(DEFAULT_THEMES)) {
    it(`every text colour pair reaches ${AA_TEXT}:1 in ${theme}`, () => {
      for (const pair of TEXT_COLOURS) {
        const ratio = contrastRatio(colours[pair.text]!, colours[pair.background]!);
        assert.ok(ratio >= AA_TEXT, `${theme}: ${pair.what} (${pair.text} on ${pair.background}) is ${ratio.toFixed(2)}:1`);
      }
    });
  }

  it('the stylesheet colours text only with the checked variables', () => {
    const css = fs.readFileSync(path.join(__dirname, '../../../media/metrics.css'), 'utf8');
    const used = [...css.matchAll(/(?:^|[;{\s])color:\s*var\((--vscode-[\w-]+)/g)].map((m) => m[1]!);
    const checked = new Set(TEXT_COLOURS.map((p) => p.text));
    assert.ok(used.length > 0);
    for (const name of used) assert.ok(checked.has(name), `media/metrics.css colours text with ${name}, which no contrast check covers`);
  });

  it('falls back to the foreground where the description colour is too faint (axis labels)', () => {
    assert.equal(readableOn('#f3f3f3', ['#bf8803', '#3b3b3b']), '#3b3b3b');
    assert.equal(readableOn('#181818', ['#9d9d9d', '#cccccc']), '#9d9d9d');
  });
});
