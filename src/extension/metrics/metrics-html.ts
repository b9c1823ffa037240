// The Metrics webview's document: one script from dist/ (its CSS travels inside the bundle), a
// strict CSP that allows only that script and styles carrying this load's nonce, no inline handlers.
import crypto from 'node:crypto';

export function createNonce(): string {
  return crypto.randomBytes(18).toString('base64');
}

export interface MetricsHtmlOptions {
  /** `webview.asWebviewUri(dist/webview/metrics.js)`. */
  scriptUri: string;
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function metricsHtml({ scriptUri, cspSource, nonce }: MetricsHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>StepGRPO Metrics</title>
</head>
<body>
<div id="metrics-app" aria-busy="true"></div>
<script nonce="${escapeAttr(nonce)}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>`;
}
