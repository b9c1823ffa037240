// The HTTP reward server (DESIGN §1): node:http, JSON in and out, loopback unless told otherwise.
// Endpoints: POST /score, POST /score_batch, POST /get_reward (OpenRLHF remote RM), GET /health,
// GET /metrics. Keep-alive on; request, header and idle timeouts; graceful close.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolveRewardConfig } from '../core/reward';
import type { RewardConfig } from '../core/reward-types';
import {
  parseGetRewardRequest,
  parseScoreBatchEnvelope,
  parseScoreItem,
  type BatchResult,
  type GetRewardResponse,
  type HealthResponse,
  type MetricsResponse,
  type ScoreBatchResponse,
  type ScoreResponse,
} from '../protocol/reward-server';
import { mapInSlices } from './cooperative';
import { RequestFieldError, accept } from './request-error';
import { HttpError, parseJsonBody, readBody, sendError, sendJson } from './http-body';
import { resolveConfig, resolveItem, scoreResolved } from './score-items';
import { ServerMetrics } from './server-metrics';
import { completionFromQuery, itemFromLabel } from './openrlhf';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8008;

export interface RewardServerOptions {
  /** Interface to bind; default loopback. Anything else must be asked for explicitly. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8008. */
  port?: number;
  /** Config for requests that name no preset or config. Default: the `stepgrpo` preset. */
  config?: RewardConfig;
  /** Largest request body in bytes (default 16 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Time for a whole request to arrive (default 60 s). */
  requestTimeoutMs?: number;
  /** Time for the request headers to arrive (default 15 s). */
  headersTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept open (default 30 s). */
  keepAliveTimeoutMs?: number;
  /** How often request and header timeouts are checked (default 1 s). */
  timeoutCheckMs?: number;
  /** Longest stretch of scoring before the event loop gets a turn (default 8 ms). */
  sliceMs?: number;
  /** Reported by /health. */
  version?: string;
  /** One line per notable event (listening, closing, internal errors). */
  log?: (line: string) => void;
}

interface Route {
  method: 'GET' | 'POST';
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | void;
}

export class RewardServer {
  readonly metrics = new ServerMetrics();
  private readonly server: http.Server;
  private readonly config: RewardConfig;
  private readonly opts: Required<Omit<RewardServerOptions, 'config' | 'log'>>;
  private readonly log: (line: string) => void;
  private readonly routes: Record<string, Route>;
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | null = null;
  private address: AddressInfo | null = null;

  constructor(options: RewardServerOptions = {}) {
    this.config = options.config ?? resolveRewardConfig('stepgrpo');
    this.opts = {
      host: options.host ?? DEFAULT_HOST,
      port: options.port ?? DEFAULT_PORT,
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      headersTimeoutMs: options.headersTimeoutMs ?? 15_000,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000,
      timeoutCheckMs: options.timeoutCheckMs ?? 1000,
      sliceMs: options.sliceMs ?? 8,
      version: options.version ?? '',
    };
    this.log = options.log ?? (() => {});
    this.routes = {
      '/score': { method: 'POST', handle: (req, res) => this.score(req, res) },
      '/score_batch': { method: 'POST', handle: (req, res) => this.scoreBatch(req, res) },
      '/get_reward': { method: 'POST', handle: (req, res) => this.getReward(req, res) },
      '/health': { method: 'GET', handle: (_req, res) => this.health(res) },
      '/metrics': { method: 'GET', handle: (_req, res) => this.metricsReply(res) },
    };
    this.server = http.createServer(
      {
        keepAlive: true,
        requestTimeout: this.opts.requestTimeoutMs,
        headersTimeout: this.opts.headersTimeoutMs,
        keepAliveTimeout: this.opts.keepAliveTimeoutMs,
        connectionsCheckingInterval: this.opts.timeoutCheckMs,
      },
      (req, res) => void this.dispatch(req, res),
    );
    // Reject an over-long body before the client sends it, when it asks first (curl does above 1 MB).
    this.server.on('checkContinue', (req, res) => {
      if (!(Number(req.headers['content-length']) > this.opts.maxBodyBytes)) res.writeContinue();
      void this.dispatch(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (!socket.writable) return;
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify({ error: { status, message: `bad HTTP request: ${err.code ?? err.message}` } });
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:8008`). */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        this.address = this.server.address() as AddressInfo;
        this.log(`reward server listening on ${this.url}`);
        resolve(this.url);
      });
    });
  }

  get url(): string {
    if (!this.address) throw new Error('reward server: not listening');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  get port(): number {
    if (!this.address) throw new Error('reward server: not listening');
    return this.address.port;
  }

  get isClosing(): boolean {
    return this.closing !== null;
  }

  /**
   * Stops accepting connections, closes idle keep-alive sockets at once, lets requests in flight
   * finish (their replies say `Connection: close`), and cuts whatever is left after `graceMs`.
   */
  close(graceMs = 5000): Promise<void> {
    if (this.closing) return this.closing;
    this.log('reward server closing');
    this.closing = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.closeAllConnections();
        for (const socket of this.sockets) socket.destroy();
      }, graceMs);
      timer.unref();
      this.server.close(() => {
        clearTimeout(timer);
        this.log('reward server closed');
        resolve();
      });
      this.server.closeIdleConnections();
      if (!this.server.listening) resolve();
    });
    return this.closing;
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const route = Object.prototype.hasOwnProperty.call(this.routes, path) ? this.routes[path] : undefined;
    const label = route ? `${route.method} ${path}` : 'other';
    res.once('finish', () => this.metrics.record(label, res.statusCode, performance.now() - started));
    if (this.closing) res.setHeader('connection', 'close');
    try {
      if (!route)
        throw new HttpError(
          404,
          `no endpoint ${path}: expected one of ${Object.entries(this.routes)
            .map(([p, r]) => `${r.method} ${p}`)
            .join(', ')}`,
        );
      if (req.method !== route.method) {
        res.setHeader('allow', route.method);
        throw new HttpError(405, `${path} takes ${route.method}, got ${req.method ?? '?'}`);
      }
      await route.handle(req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendError(res, err);
      else if (err instanceof RequestFieldError) sendError(res, new HttpError(422, err.message, err.issue.path));
      else {
        this.log(`reward server: internal error on ${req.method} ${path}: ${(err as Error).stack ?? String(err)}`);
        sendError(res, new HttpError(500, `internal error: ${(err as Error).message}`));
      }
    }
  }

  private async body(req: http.IncomingMessage): Promise<unknown> {
    return parseJsonBody(await readBody(req, this.opts.maxBodyBytes));
  }

  private async score(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const item = resolveItem(accept(parseScoreItem(await this.body(req))), this.config);
    let reply: ScoreResponse;
    try {
      reply = { rewards: scoreResolved(item) };
    } catch (err) {
      this.metrics.chainsFailed++;
      throw err;
    }
    this.metrics.chainsScored++;
    sendJson(res, 200, reply);
  }

  private async scoreBatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const envelope = accept(parseScoreBatchEnvelope(await this.body(req)));
    const base = resolveConfig(this.config, envelope.preset, envelope.config);
    const gone = (): boolean => res.destroyed || req.socket.destroyed;
    const results = await this.sliced(
      envelope.items,
      (raw, index): BatchResult => {
        const at = `items[${index}]`;
        try {
          return { index, rewards: scoreResolved(resolveItem(accept(parseScoreItem(raw, at)), base, `${at}.`)) };
        } catch (err) {
          if (!(err instanceof RequestFieldError)) throw err;
          return { index, error: { index, field: err.issue.path, message: err.message } };
        }
      },
      gone,
    );
    if (!results) return;
    const failed = results.filter((r) => 'error' in r).length;
    this.metrics.chainsScored += results.length - failed;
    this.metrics.chainsFailed += failed;
    const reply: ScoreBatchResponse = { results, scored: results.length - failed, failed };
    sendJson(res, 200, reply);
  }

  private async getReward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = accept(parseGetRewardRequest(await this.body(req)));
    // Every label is checked before any scoring: OpenRLHF needs one number per query, so a bad
    // label fails the request (422 naming it) rather than yielding a made-up reward.
    const items = body.query.map((query, i) => {
      const completion = completionFromQuery(query, body.prompts?.[i]);
      return resolveItem(itemFromLabel(completion, body.labels?.[i], `labels[${i}]`), this.config, `labels[${i}].`);
    });
    const gone = (): boolean => res.destroyed || req.socket.destroyed;
    const scored = await this.sliced(items, scoreResolved, gone);
    if (!scored) return;
    this.metrics.chainsScored += scored.length;
    const reply: GetRewardResponse = {
      rewards: scored.map((r) => r.total),
      scores: scored.map((r) => (r.answer_correct ? 1 : 0)),
      extra_logs: { r_acc: scored.map((r) => r.r_acc), r_val: scored.map((r) => r.r_val), key_step_ratio: scored.map((r) => r.key_step_ratio) },
    };
    sendJson(res, 200, reply);
  }

  private async sliced<T, R>(items: readonly T[], fn: (item: T, index: number) => R, cancelled: () => boolean): Promise<R[] | null> {
    this.metrics.scoringNow++;
    try {
      return await mapInSlices(items, fn, this.opts.sliceMs, cancelled);
    } finally {
      this.metrics.scoringNow--;
    }
  }

  private health(res: http.ServerResponse): void {
    const reply: HealthResponse = { status: this.closing ? 'closing' : 'ok', version: this.opts.version, uptime_s: this.metrics.uptimeSeconds, config: this.config };
    sendJson(res, this.closing ? 503 : 200, reply);
  }

  private metricsReply(res: http.ServerResponse): void {
    const m = this.metrics;
    const reply: MetricsResponse = {
      uptime_s: m.uptimeSeconds,
      requests: m.requests,
      by_route: { ...m.byRoute },
      by_status: { ...m.byStatus },
      chains_scored: m.chainsScored,
      chains_failed: m.chainsFailed,
      scoring_now: m.scoringNow,
      open_connections: this.sockets.size,
      latency: m.latency(),
    };
    sendJson(res, 200, reply);
  }
}
