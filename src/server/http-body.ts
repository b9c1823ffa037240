// Reading a JSON request body with a size limit, and writing JSON replies. Errors carry the HTTP
// status and a message a person understands.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorResponse } from '../protocol/reward-server';
import { JsonDepthScanner } from './json-depth';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** Reply with `Connection: close` (the rest of the request will not be read). */
    readonly close = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** After a 413, at most this much more of the body is read (and dropped) before the socket is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MiB`;

export function tooLarge(limit: number, got: string, close = false): HttpError {
  return new HttpError(
    413,
    `request body too large: ${got}, the limit is ${limit} bytes (${mib(limit)}); send fewer items per request or start the server with a larger --max-body`,
    undefined,
    close,
  );
}

function tooDeep(limit: number, at: number): HttpError {
  return new HttpError(422, `request body nests arrays/objects more than ${limit} levels deep (at byte ${at + 1}); the limit is ${limit} (maxJsonDepth)`);
}

/**
 * The body's bytes, or an HttpError: 413 past `limit` bytes (declared or received), 422 when it
 * nests deeper than `maxDepth` (seen as it arrives). The bytes are depth-scanned chunk by chunk, so
 * no single step holds the event loop for the whole body; decoding and parsing are left to
 * `parseJsonBody` (or a worker thread, for large bodies: json-parse-worker.ts). A body refused
 * early is drained (up to DRAIN_LIMIT) so the client, which may still be sending, can read the
 * reply instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number, maxDepth: number): Promise<Buffer> {
  const declared = req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit, `${declared} bytes declared`, declared > limit + DRAIN_LIMIT));
  return new Promise((resolve, reject) => {
    const depth = new JsonDepthScanner(maxDepth);
    let chunks: Buffer[] = [];
    let received = 0;
    let failed = false;
    const fail = (err: HttpError): void => {
      failed = true;
      chunks = [];
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (failed) {
        if (received > limit + DRAIN_LIMIT) req.socket.destroy();
        return;
      }
      if (received > limit) return fail(tooLarge(limit, `more than ${limit} bytes received`));
      const deep = depth.feed(chunk);
      if (deep >= 0) return fail(tooDeep(maxDepth, deep));
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, received));
    });
    req.on('error', (err) => {
      if (!failed) reject(new HttpError(400, `request body could not be read: ${err.message}`));
    });
  });
}

/** Why a body is not a JSON value; the worker thread reports the same three cases. */
export type BodyFault = { kind: 'utf8' } | { kind: 'empty' } | { kind: 'json'; message: string };

export function bodyFaultError(fault: BodyFault): HttpError {
  if (fault.kind === 'utf8') return new HttpError(400, 'request body is not valid UTF-8');
  if (fault.kind === 'empty') return new HttpError(400, 'empty request body: expected JSON');
  return new HttpError(400, `request body is not valid JSON: ${fault.message}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes and parses a body, or a 400 naming what is wrong and where. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw bodyFaultError({ kind: 'utf8' });
  }
  if (text.trim() === '') throw bodyFaultError({ kind: 'empty' });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bodyFaultError({ kind: 'json', message: (err as Error).message });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

/** A reply whose JSON text is already made (a stored reply sent again). */
export function sendRaw(res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

export function sendError(res: ServerResponse, err: HttpError, headers: Record<string, string> = {}): void {
  const body: ErrorResponse = { error: { status: err.status, message: err.message } };
  if (err.field !== undefined) body.error.field = err.field;
  sendJson(res, err.status, body, err.close ? { ...headers, connection: 'close' } : headers);
}
