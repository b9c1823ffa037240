// The webview's end of the message channel: typed posts, and host messages checked by the
// protocol's guards before anything reads them.
import type { GuardResult } from '../../src/protocol/message-guard';
import { describeIssue } from '../../src/protocol/schema';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel<In, Out> {
  post(message: Out): void;
  onMessage(handler: (message: In) => void): void;
}

/** acquireVsCodeApi may be called once per page; this is that call. */
export function connect<In, Out>(parse: (value: unknown) => GuardResult<In>): Channel<In, Out> {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const parsed = parse(event.data);
        if (parsed.ok) handler(parsed.value);
        else console.warn(`[stepgrpo] ignored a message: ${describeIssue(parsed.issue)}`);
      }),
  };
}
