import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, webviewDocument } from '../../../src/extension/webview-document';

describe('webview HTML (both apps)', () => {
  it('allows only the nonce-carrying script and styles, nothing inline', () => {
    const nonce = createNonce();
    const html = webviewDocument({
      title: 'Metrics',
      scriptUri: 'https://file+.vscode-resource/dist/webview/metrics.js',
      styleUri: 'https://file+.vscode-resource/dist/media/metrics.css',
      cspSource: 'https://file+.vscode-resource',
      nonce,
    });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.doesNotMatch(html, /\son\w+=/, 'no inline handlers');
  });
  it('names the nonce in a csp-nonce meta, where the webview UI toolkit looks for it before it adds a <style> (else the CSP refuses it, a console error on every load)', () => {
    const html = webviewDocument({ title: 't', scriptUri: 's', cspSource: 'c', nonce: 'abc+/=' });
    assert.match(html, /<meta property="csp-nonce" content="abc\+\/=">/);
  });
  it('escapes what it puts in attributes and draws fresh nonces', () => {
    const html = webviewDocument({ title: 't', scriptUri: 'x"><img src=y>', cspSource: 'c', nonce: 'n' });
    assert.ok(!html.includes('"><img'));
    assert.notEqual(createNonce(), createNonce());
  });
});
