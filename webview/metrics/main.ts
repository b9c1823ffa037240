// Entry of the Metrics webview bundle (dist/webview/metrics.js). Validates every message from the
// host, then says `ready` so the host replays its state.
import { parseHostToMetrics, type MetricsToHostMessage } from '../../src/protocol/metrics-messages';
import { describeIssue } from '../../src/protocol/schema';
import { MetricsApp } from './app';
import css from './styles.css';

const vscode = acquireVsCodeApi();
// Styles are allowed by the CSP only with this load's nonce, which the script tag carries.
const style = document.createElement('style');
style.nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
style.textContent = css;
document.head.append(style);

const root = document.getElementById('metrics-app');
if (root) {
  const app = new MetricsApp(root, (message: MetricsToHostMessage) => vscode.postMessage(message));
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = parseHostToMetrics(event.data);
    if (parsed.ok) app.handle(parsed.value);
    else app.showError(`Ignored a message from the extension: ${describeIssue(parsed.issue)}`);
  });
  vscode.postMessage({ type: 'ready' } satisfies MetricsToHostMessage);
}
