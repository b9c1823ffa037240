// The Metrics webview's document: one script from dist/ (its CSS travels inside the bundle and is
// injected with this load's nonce).
import { webviewDocument } from '../webview-document';

export { createNonce } from '../webview-document';

export interface MetricsHtmlOptions {
  /** `webview.asWebviewUri(dist/webview/metrics.js)`. */
  scriptUri: string;
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
}

export function metricsHtml({ scriptUri, cspSource, nonce }: MetricsHtmlOptions): string {
  return webviewDocument({ title: 'StepGRPO Metrics', cspSource, scriptUri, nonce, body: '<div id="metrics-app" aria-busy="true"></div>\n' });
}
