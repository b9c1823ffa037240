// Entry of the Metrics webview bundle (dist/webview/metrics.js). Validates every message from the
// host, then says `ready` so the host replays its state. Styles: dist/media/metrics.css.
import { parseHostToMetrics, type HostToMetricsMessage, type MetricsToHostMessage } from '../../src/protocol/metrics-messages';
import { connect } from '../shared/vscode-api';
import { MetricsApp } from './app';

const root = document.getElementById('metrics-app');
if (root) {
  // The guard's complaints show in the view's banner (the app exists before any message arrives).
  const channel = connect<HostToMetricsMessage, MetricsToHostMessage>(parseHostToMetrics, (problem) => app.showError(`Ignored a message from the extension: ${problem}`));
  const app = new MetricsApp(root, (message) => channel.post(message));
  channel.onMessage((message) => app.handle(message));
  channel.post({ type: 'ready' });
}
