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
  return new HttpError(422, `request body nests arrays/objects more than ${limit} levels deep (at character ${at + 1}); the limit is ${limit} (maxJsonDepth)`);
}

/**
 * The body as text, or an HttpError: 413 past `limit` bytes (declared or received), 422 when it
 * nests deeper than `maxDepth` (seen as it arrives), 400 when it is not UTF-8. The body is decoded
 * and scanned chunk by chunk, so no single step holds the event loop for the whole body. A body
 * refused early is drained (up to DRAIN_LIMIT) so the client, which may still be sending, can read
 * the reply instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number, maxDepth: number): Promise<string> {
  const declared = req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit, `${declared} bytes declared`, declared > limit + DRAIN_LIMIT));
  return new Promise((resolve, reject) => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const depth = new JsonDepthScanner(maxDepth);
    let pieces: string[] = [];
    let received = 0;
    let failed = false;
    const fail = (err: HttpError): void => {
      failed = true;
      pieces = [];
      reject(err);
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (failed) {
        if (received > limit + DRAIN_LIMIT) req.socket.destroy();
        return;
      }
      if (received > limit) return fail(tooLarge(limit, `more than ${limit} bytes received`));
      let piece: string;
      try {
        piece = decoder.decode(chunk, { stream: true });
      } catch {
        return fail(notUtf8());
      }
      const deep = depth.feed(piece);
      if (deep >= 0) return fail(tooDeep(maxDepth, deep));
      pieces.push(piece);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        pieces.push(decoder.decode());
      } catch {
        return reject(notUtf8());
      }
      resolve(pieces.join(''));
    });
    req.on('error', (err) => {
      if (!failed) reject(new HttpError(400, `request body could not be read: ${err.message}`));
    });
  });
}

const notUtf8 = (): HttpError => new HttpError(400, 'request body is not valid UTF-8');

/** Parses a body as JSON, or a 400 naming what is wrong and where. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'empty request body: expected JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
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
