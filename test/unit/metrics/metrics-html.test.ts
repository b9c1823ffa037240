import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, metricsHtml } from '../../../src/extension/metrics/metrics-html';

describe('Metrics webview HTML', () => {
  it('allows only the nonce-carrying script and styles, nothing inline', () => {
    const nonce = createNonce();
    const html = metricsHtml({ scriptUri: 'https://file+.vscode-resource/dist/webview/metrics.js', cspSource: 'https://file+.vscode-resource', nonce });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.doesNotMatch(html, /\son\w+=/, 'no inline handlers');
  });
  it('escapes what it puts in attributes and draws fresh nonces', () => {
    const html = metricsHtml({ scriptUri: 'x"><img src=y>', cspSource: 'c', nonce: 'n' });
    assert.ok(!html.includes('"><img'));
    assert.notEqual(createNonce(), createNonce());
  });
});
