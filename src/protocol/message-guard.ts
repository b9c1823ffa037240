// One guard for every message union `{type, ...}` (webview channels, trainer NDJSON): looks up the
// schema of the message's type and reports the first bad field as data.
import { isObject, issue, kindOf, parse, type Issue, type Schema } from './schema';

export type GuardResult<T> = { ok: true; value: T } | { ok: false; issue: Issue; /** Set for a well-formed message of a type this side does not know. */ unknownType?: string };

/** `type` → schema of the whole message; the caller's union type ties them together. */
export type MessageSchemas<M extends { type: string }> = { [K in M['type']]: Schema<Extract<M, { type: K }>> };

export function messageGuard<M extends { type: string }>(direction: string, schemas: MessageSchemas<M>): (value: unknown) => GuardResult<M> {
  const table = schemas as Record<string, Schema<M>>;
  return (value) => {
    if (!isObject(value)) return { ok: false, issue: issue('', `${direction} message: expected an object, got ${kindOf(value)}`) };
    const type = value.type;
    if (typeof type !== 'string') return { ok: false, issue: issue('type', `${direction} message: missing "type"`) };
    if (!Object.hasOwn(table, type)) return { ok: false, issue: issue('type', `unknown ${direction} message type "${type}"`), unknownType: type };
    return parse(table[type]!, value);
  };
}
