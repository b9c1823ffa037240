// A request field the server cannot use. The protocol's guards return issues as data; the server
// unwinds a request with this one error (reply 422 naming `issue.path`), wherever the issue arose:
// the body's shape, a preset, a config field, or the engine's key-step format.
import { describeIssue, type Checked, type Issue } from '../protocol/schema';

export class RequestFieldError extends Error {
  override name = 'RequestFieldError';
  constructor(readonly issue: Issue) {
    super(describeIssue(issue));
  }
}

/** The checked value, or the request fails with its issue. */
export function accept<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new RequestFieldError(checked.issue);
  return checked.value;
}
