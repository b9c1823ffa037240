// Export of the Metrics view: the selected runs' points as CSV (long format, one row per run,
// metric and step, so runs with different steps or metrics fit one file), and the PNG the webview
// composes from its charts. Pure apart from the file written by the caller.
import type { SeriesChunk } from '../../protocol/metrics-messages';

const field = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function metricsCsv(chunks: readonly SeriesChunk[]): string {
  const rows = ['run,metric,step,value'];
  for (const c of chunks) for (let i = 0; i < c.steps.length; i++) rows.push(`${field(c.runId)},${field(c.metric)},${c.steps[i]},${c.values[i]}`);
  return `${rows.join('\n')}\n`;
}

/** The bytes of a `data:image/png;base64,…` URI, or undefined when it is not one. */
export function pngBytes(dataUri: string): Buffer | undefined {
  const prefix = 'data:image/png;base64,';
  if (!dataUri.startsWith(prefix)) return undefined;
  const bytes = Buffer.from(dataUri.slice(prefix.length), 'base64');
  // The PNG signature: anything else is not what the webview was asked for.
  return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? bytes : undefined;
}
