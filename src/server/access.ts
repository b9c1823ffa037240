// Who may use the reward server. A server reachable from the network needs a bearer token; a web
// page must never be able to post chains into a recorded run (a cross-origin `text/plain` POST is a
// "simple" request that browsers send without asking), so requests carrying a browser `Origin`
// header are refused unless that origin is allowed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-body';

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
