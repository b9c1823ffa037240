// Who may use the reward server. A server reachable from the network needs a bearer token; a web
// page must never be able to post chains into a recorded run (a cross-origin `text/plain` POST is a
// "simple" request that browsers send without asking), so requests carrying a browser `Origin`
// header are refused unless that origin is allowed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-body';

/** Shorter tokens are refused: a bearer token is the only thing between the network and a recorded run. */
export const MIN_TOKEN_LENGTH = 16;

/** Headers a browser needs to read replies for an allowed `Origin` (none for other requests). */
export function corsHeaders(req: IncomingMessage, allowOrigins: readonly string[], method: string): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !(allowOrigins.includes('*') || allowOrigins.includes(origin))) return {};
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-allow-methods': `${method}, OPTIONS`,
    'access-control-allow-headers': 'authorization, content-type, x-request-id',
    'access-control-max-age': '600',
  };
}

/** The host part of a `Host` header (`[::1]:8008` → `::1`, `localhost:8008` → `localhost`). */
function hostName(header: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return header.replace(/:\d*$/, '').toLowerCase();
}

/**
 * DNS rebinding defence: a page whose domain was re-pointed at 127.0.0.1 reaches the server with
 * its own name in `Host`. A server bound to loopback serves only loopback names; one bound to a
 * specific address serves that address; `0.0.0.0`/`::` (a token is required there) any name. Names in
 * `allowHosts` (`--allow-host`) are served too; `*` turns the check off.
 */
export function checkHost(req: IncomingMessage, boundHost: string, allowHosts: readonly string[]): void {
  if (allowHosts.includes('*') || boundHost === '0.0.0.0' || boundHost === '::') return;
  const header = req.headers.host;
  if (header === undefined) return; // HTTP/1.0 clients; browsers always send Host
  const name = hostName(header);
  if (allowHosts.map((h) => h.toLowerCase()).includes(name)) return;
  if (isLoopbackHost(boundHost) ? isLoopbackHost(name) : name === boundHost.toLowerCase()) return;
  throw new HttpError(421, `Host ${JSON.stringify(header)} is not this server's address (${boundHost}); start it with --allow-host ${name} to serve that name`, 'host');
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host) || host === '::ffff:127.0.0.1';
}

/** Compares in constant time: both sides are hashed first so that lengths do not leak either. */
export function tokenMatcher(token: string): (presented: string) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (presented) => timingSafeEqual(createHash('sha256').update(presented).digest(), expected);
}

export interface AccessPolicy {
  tokenMatches: ((presented: string) => boolean) | undefined;
  allowOrigins: readonly string[];
}

/** Throws 401 (no or wrong token) or 403 (a browser origin that is not allowed). */
export function checkAccess(req: IncomingMessage, policy: AccessPolicy, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !policy.allowOrigins.includes('*') && !policy.allowOrigins.includes(origin)) {
    throw new HttpError(403, `requests from web pages are refused (Origin: ${origin}); start the server with --allow-origin ${origin} if this page should post rewards`);
  }
  if (!policy.tokenMatches) return;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match || !policy.tokenMatches(match[1]!.trim())) {
    res.setHeader('www-authenticate', 'Bearer realm="stepgrpo"');
    throw new HttpError(
      401,
      match ? 'the bearer token is wrong' : 'this server needs `Authorization: Bearer <token>` (the token it was started with; STEPGRPO_REWARD_TOKEN for the Python clients)',
      'authorization',
    );
  }
}
