// The webview's end of the message channel: typed posts, and host messages checked by the
// protocol's guards before anything reads them.
import type { GuardResult } from '../../src/protocol/message-guard';
import { describeIssue } from '../../src/protocol/schema';

interface VsCodeApi {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel<In, Out> {
  post(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  /** Kept by VS Code across a window reload and handed to the panel serializer. */
  persist(state: unknown): void;
}

/**
 * acquireVsCodeApi may be called once per page; this is that call. A host message that fails the
 * guard goes to `onInvalid` (default: the console), never to the handler.
 */
export function connect<In, Out>(
  parse: (value: unknown) => GuardResult<In>,
  onInvalid: (problem: string) => void = (p) => console.warn(`[stepgrpo] ignored a message: ${p}`),
): Channel<In, Out> {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    persist: (state) => api.setState(state),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const parsed = parse(event.data);
        if (parsed.ok) handler(parsed.value);
        else onInvalid(describeIssue(parsed.issue));
      }),
  };
}
