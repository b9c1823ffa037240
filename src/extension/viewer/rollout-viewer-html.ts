// The viewer's HTML shell: its script and stylesheet from the extension's dist/ folder, images from
// there or inline data URIs (the prompt images), under the shared strict CSP.
import type * as vscode from 'vscode';
import { createNonce, webviewDocument } from '../webview-document';

export function rolloutViewerHtml(webview: vscode.Webview, distUri: vscode.Uri, joinPath: (base: vscode.Uri, ...p: string[]) => vscode.Uri): string {
  return webviewDocument({
    title: 'Rollout Viewer',
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(joinPath(distUri, 'webview', 'rollout-viewer.js')).toString(),
    styleUri: webview.asWebviewUri(joinPath(distUri, 'media', 'rollout-viewer.css')).toString(),
    nonce: createNonce(),
  });
}
