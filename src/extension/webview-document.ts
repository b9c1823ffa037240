// The HTML shell every webview gets: a strict CSP with a per-load nonce (scripts only with the
// nonce, styles from dist/ or with the nonce, images from dist/ or data URIs), one script bundle,
// an optional stylesheet, no inline handlers. Attribute values are escaped. The nonce is also in a
// `csp-nonce` meta: the webview UI toolkit (FAST) reads it for the <style> it probes focus-visible
// with, which the CSP refuses (a console error on every load) without it.
import { randomBytes } from 'node:crypto';

export function createNonce(): string {
  return randomBytes(18).toString('base64');
}

export interface WebviewDocumentOptions {
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview/<app>.js)`. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/media/<app>.css)`, when the app ships a stylesheet. */
  styleUri?: string;
  /** Further stylesheets from dist/ (a library's, e.g. KaTeX's), loaded before the app's own. */
  extraStyleUris?: string[];
  nonce: string;
  /** Static markup the app mounts into (no user text ever goes here). */
  body?: string;
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function webviewDocument(o: WebviewDocumentOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta property="csp-nonce" content="${escapeAttr(o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${(o.extraStyleUris ?? []).map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}">\n`).join('')}${o.styleUri ? `<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">\n` : ''}<title>${escapeAttr(o.title)}</title>
</head>
<body>
${o.body ?? ''}<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}
