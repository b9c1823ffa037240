// The viewer's HTML shell: a strict CSP with a per-load nonce, scripts and styles only from the
// extension's dist/ folder, images from there or inline data URIs (the prompt images).
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function rolloutViewerHtml(webview: vscode.Webview, distUri: vscode.Uri, joinPath: (base: vscode.Uri, ...p: string[]) => vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(joinPath(distUri, 'webview', 'rollout-viewer.js')).toString();
  const style = webview.asWebviewUri(joinPath(distUri, 'media', 'rollout-viewer.css')).toString();
  const src = webview.cspSource;
  const csp = [`default-src 'none'`, `img-src ${src} data:`, `style-src ${src}`, `font-src ${src}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(style)}">
<title>Rollout Viewer</title>
</head>
<body>
<script nonce="${escapeAttr(nonce)}" src="${escapeAttr(script)}"></script>
</body>
</html>`;
}
