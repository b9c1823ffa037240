// Starts a RewardServer on an ephemeral loopback port for a test, and small HTTP helpers over a
// keep-alive agent. Tests import this instead of repeating the setup.
import http from 'node:http';
import { RewardServer, type RewardServerOptions } from '../../src/server/reward-server';

export async function startTestServer(options: RewardServerOptions = {}): Promise<{ server: RewardServer; url: string }> {
  const server = new RewardServer({ port: 0, ...options });
  const url = await server.listen();
  return { server, url };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
  text: string;
}

/** One request; `body` is sent as JSON unless it is already a string or Buffer. */
export function request(url: string, method: string, path: string, body?: unknown, options: { agent?: http.Agent; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = http.request(`${url}${path}`, { method, agent: options.agent ?? false, headers: { 'content-type': 'application/json', ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = undefined;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Left undefined: the test asserts on the status and the text.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
