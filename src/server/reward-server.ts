// The HTTP reward server (DESIGN §1): node:http, JSON in and out, loopback unless told otherwise.
// Endpoints: POST /score, POST /score_batch, POST /get_reward (OpenRLHF remote RM), GET /health,
// GET /metrics. Keep-alive on; request, header and idle timeouts; graceful close. Any address but
// loopback needs a bearer token; requests from web pages (an `Origin` header) are refused unless
// allowed; each client has a bound on requests in flight. With a recorder, every scored chain
// goes into a run directory (run-recorder.ts).
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
import type { RunRecorder } from './run-recorder';
import type { ResolvedItem } from './score-items';
import type { RewardBreakdown } from '../core/reward-types';
import { checkAccess, isLoopbackHost, tokenMatcher } from './access';
import { SERVER_VERSION } from './version';

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
  /** Bearer token every request must carry; required for any host but loopback. */
  token?: string;
  /** Origins (`https://example.org`, or `*`) whose browser requests are served; default none. */
  allowOrigins?: readonly string[];
  /** Requests one client address may have in flight; more get 429 (default 128). */
  maxInFlightPerClient?: number;
  /** Records every scored chain into a run directory. The server closes it on close(). */
  recorder?: RunRecorder;
}

interface Route {
  method: 'GET' | 'POST';
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | void;
}

export class RewardServer {
  readonly metrics = new ServerMetrics();
  private readonly server: http.Server;
  private readonly config: RewardConfig;
  private readonly opts: Required<Omit<RewardServerOptions, 'config' | 'log' | 'token' | 'recorder'>>;
  private readonly tokenMatches: ((presented: string) => boolean) | undefined;
  private readonly recorder: RunRecorder | undefined;
  private readonly inFlight = new Map<string, number>();
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
      version: options.version ?? SERVER_VERSION,
      allowOrigins: options.allowOrigins ?? [],
      maxInFlightPerClient: options.maxInFlightPerClient ?? 128,
    };
    if (!isLoopbackHost(this.opts.host) && !options.token) {
      throw new Error(
        `binding to ${this.opts.host} exposes the reward server to the network: give it a bearer token (--token or STEPGRPO_REWARD_TOKEN), which every client then sends`,
      );
    }
    this.tokenMatches = options.token ? tokenMatcher(options.token) : undefined;
    this.recorder = options.recorder;
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
        this.recorder?.close('stopped');
        this.log('reward server closed');
        resolve();
      });
      this.server.closeIdleConnections();
      if (!this.server.listening) {
        this.recorder?.close('stopped');
        resolve();
      }
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
      checkAccess(req, { tokenMatches: this.tokenMatches, allowOrigins: this.opts.allowOrigins }, res);
      if (req.method !== route.method) {
        res.setHeader('allow', route.method);
        throw new HttpError(405, `${path} takes ${route.method}, got ${req.method ?? '?'}`);
      }
      const client = req.socket.remoteAddress ?? '?';
      const busy = this.inFlight.get(client) ?? 0;
      if (busy >= this.opts.maxInFlightPerClient) {
        res.setHeader('retry-after', '1');
        throw new HttpError(429, `too many requests in flight from ${client} (limit ${this.opts.maxInFlightPerClient}); wait for replies before sending more`);
      }
      this.inFlight.set(client, busy + 1);
      try {
        await route.handle(req, res);
      } finally {
        const left = (this.inFlight.get(client) ?? 1) - 1;
        if (left > 0) this.inFlight.set(client, left);
        else this.inFlight.delete(client);
      }
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
    this.record(item, reply.rewards);
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
          const item = resolveItem(accept(parseScoreItem(raw, at)), base, `${at}.`);
          if (envelope.step !== undefined && item.meta.step === undefined) item.meta.step = envelope.step;
          const rewards = scoreResolved(item);
          this.record(item, rewards);
          return { index, rewards };
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
      const prompt = body.prompts?.[i];
      const item = resolveItem(itemFromLabel(completionFromQuery(query, prompt), body.labels?.[i], `labels[${i}]`), this.config, `labels[${i}].`);
      if (prompt) item.meta.prompt = prompt;
      return item;
    });
    const gone = (): boolean => res.destroyed || req.socket.destroyed;
    const scored = await this.sliced(
      items,
      (item) => {
        const rewards = scoreResolved(item);
        this.record(item, rewards);
        return rewards;
      },
      gone,
    );
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

  private record(item: ResolvedItem, rewards: RewardBreakdown): void {
    if (!this.recorder) return;
    const { reference, meta } = item;
    this.recorder.record({
      completion: item.completion,
      rewards,
      ...(reference.answer !== undefined ? { answer: reference.answer } : {}),
      ...(reference.keySteps !== undefined ? { keySteps: reference.keySteps } : {}),
      ...meta,
    });
  }

  private health(res: http.ServerResponse): void {
    const reply: HealthResponse = {
      status: this.closing ? 'closing' : 'ok',
      version: this.opts.version,
      uptime_s: this.metrics.uptimeSeconds,
      config: this.config,
      auth: this.tokenMatches ? 'bearer' : 'none',
      ...(this.recorder ? { recording: this.recorder.status } : {}),
    };
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
