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
  type RecordingStatus,
  type ScoreBatchResponse,
  type ScoreResponse,
} from '../protocol/reward-server';
import { mapInSlices, yieldToEventLoop } from './cooperative';
import { RequestFieldError, accept } from './request-error';
import { HttpError, parseJsonBody, readBody, sendError, sendJson, sendRaw } from './http-body';
import { DEFAULT_MAX_TEXT_CHARS, resolveConfig, resolveItem, scoreResolved } from './score-items';
import { DEFAULT_MAX_JSON_DEPTH } from './json-depth';
import { DEFAULT_END_MARKERS } from './end-markers';
import { DEFAULT_WORKER_PARSE_BYTES, JsonParseWorker } from './json-parse-worker';
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, ReplayCache, type StoredReply } from './replay-cache';
import { ServerMetrics } from './server-metrics';
import { completionFromQuery, itemFromLabel } from './openrlhf';
import type { RunRecorder } from './run-recorder';
import type { ResolvedItem } from './score-items';
import type { RewardBreakdown } from '../core/reward-types';
import { checkAccess, checkHost, corsHeaders, isLoopbackHost, MIN_TOKEN_LENGTH, tokenMatcher } from './access';
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
  /** Bodies of at least this many bytes are parsed on a worker thread (default 256 KiB). */
  workerParseBytes?: number;
  /** Deepest nesting of arrays and objects in a body (default 64); deeper ones get 422 before parsing. */
  maxJsonDepth?: number;
  /** Longest completion, answer or solution in characters (default 32,768); longer ones get 422. */
  maxTextChars?: number;
  /** Texts cut from the end of a completion before scoring (default DEFAULT_END_MARKERS); a request may name its own. */
  endMarkers?: readonly string[];
  /** Replies kept for retries that carry the same `X-Request-Id` (default 100,000, at most 64 MiB). */
  maxReplayEntries?: number;
  /** `Host` header values served besides the bound address (DNS rebinding defence); `*` serves any. */
  allowHosts?: readonly string[];
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

/** What a scoring endpoint produced: the reply and the chains to record once it is sent. */
interface Scored {
  reply: ScoreResponse | ScoreBatchResponse | GetRewardResponse;
  chains: [ResolvedItem, RewardBreakdown][];
  failed: number;
}

function requestId(req: http.IncomingMessage): string | undefined {
  const id = req.headers[REQUEST_ID_HEADER];
  if (id === undefined) return undefined;
  const value = Array.isArray(id) ? id.join(',') : id;
  if (value.length === 0 || value.length > MAX_REQUEST_ID_LENGTH) {
    throw new HttpError(400, `${REQUEST_ID_HEADER} must be 1 to ${MAX_REQUEST_ID_LENGTH} characters, got ${value.length}`, REQUEST_ID_HEADER);
  }
  return value;
}

interface Route {
  method: 'GET' | 'POST';
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | void;
}

export class RewardServer {
  readonly metrics = new ServerMetrics();
  private readonly server: http.Server;
  private readonly config: RewardConfig;
  private readonly opts: Required<Omit<RewardServerOptions, 'config' | 'log' | 'token' | 'recorder' | 'maxReplayEntries'>>;
  private readonly replies: ReplayCache;
  private readonly parser = new JsonParseWorker();
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
      maxJsonDepth: options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
      workerParseBytes: options.workerParseBytes ?? DEFAULT_WORKER_PARSE_BYTES,
      maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS,
      endMarkers: options.endMarkers ?? DEFAULT_END_MARKERS,
      allowHosts: options.allowHosts ?? [],
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
    if (options.token !== undefined && options.token.length < MIN_TOKEN_LENGTH) {
      throw new Error(`the bearer token is ${options.token.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -hex 16\`)`);
    }
    this.tokenMatches = options.token ? tokenMatcher(options.token) : undefined;
    this.replies = new ReplayCache(options.maxReplayEntries);
    this.recorder = options.recorder;
    this.log = options.log ?? (() => {});
    this.routes = {
      '/score': { method: 'POST', handle: (req, res) => this.score(req, res) },
      '/score_batch': { method: 'POST', handle: (req, res) => this.scoreBatch(req, res) },
      '/get_reward': { method: 'POST', handle: (req, res) => this.getReward(req, res) },
      '/health': { method: 'GET', handle: (req, res) => this.health(req, res) },
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
        this.parser.close();
        this.recorder?.close('stopped');
        this.log('reward server closed');
        resolve();
      });
      this.server.closeIdleConnections();
      if (!this.server.listening) {
        this.parser.close();
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
      checkHost(req, this.opts.host, this.opts.allowHosts);
      const cors = corsHeaders(req, this.opts.allowOrigins, route.method);
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      if (req.method === 'OPTIONS' && cors['access-control-allow-origin'] !== undefined) {
        res.writeHead(204).end();
        return;
      }
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

  /**
   * Reads the body, lets `compute` score it, records its chains once all are scored (an abandoned
   * request records nothing), and replies; with an `X-Request-Id`, a retry gets the first reply and
   * records nothing (replay-cache.ts).
   */
  private async scored(req: http.IncomingMessage, res: http.ServerResponse, compute: (body: unknown, gone: () => boolean) => Promise<Scored | null>): Promise<void> {
    const id = requestId(req);
    const abandoned = new AbortController();
    res.once('close', () => {
      if (!res.writableEnded) abandoned.abort();
    });
    const gone = (): boolean => abandoned.signal.aborted;
    const bytes = await readBody(req, this.opts.maxBodyBytes, this.opts.maxJsonDepth);
    const run = async (): Promise<StoredReply | null> => {
      const large = bytes.length >= this.opts.workerParseBytes;
      const body = large ? await this.parser.parse(bytes) : parseJsonBody(bytes);
      if (large) await yieldToEventLoop(); // receiving a large value and scoring its first text are two turns, not one
      const done = await compute(body, gone);
      if (!done) return null;
      for (const [item, rewards] of done.chains) this.record(item, rewards);
      this.metrics.chainsScored += done.chains.length;
      this.metrics.chainsFailed += done.failed;
      return { status: 200, body: JSON.stringify(done.reply) };
    };
    const { reply, replayed } = id === undefined ? { reply: await run(), replayed: false } : await this.replies.once(id, run);
    if (!reply) return;
    if (replayed) this.metrics.replayed++;
    sendRaw(res, reply.status, reply.body, replayed ? { 'x-replayed': 'true' } : {});
  }

  private score(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return this.scored(req, res, async (body) => {
      const item = resolveItem(accept(parseScoreItem(body)), this.config, '', this.opts.maxTextChars, this.opts.endMarkers);
      let rewards: RewardBreakdown;
      try {
        rewards = scoreResolved(item);
      } catch (err) {
        this.metrics.chainsFailed++;
        throw err;
      }
      const reply: ScoreResponse = { rewards };
      return { reply, chains: [[item, rewards]], failed: 0 };
    });
  }

  private scoreBatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return this.scored(req, res, async (body, gone) => {
      const envelope = accept(parseScoreBatchEnvelope(body));
      const base = resolveConfig(this.config, envelope.preset, envelope.config);
      const markers = envelope.end_markers ?? this.opts.endMarkers;
      const chains: [ResolvedItem, RewardBreakdown][] = [];
      const results = await this.sliced(
        envelope.items,
        (raw, index): BatchResult => {
          const at = `items[${index}]`;
          try {
            const item = resolveItem(accept(parseScoreItem(raw, at)), base, `${at}.`, this.opts.maxTextChars, markers);
            if (envelope.step !== undefined && item.meta.step === undefined) item.meta.step = envelope.step;
            const rewards = scoreResolved(item, `${at}.`);
            chains.push([item, rewards]);
            return { index, rewards };
          } catch (err) {
            if (!(err instanceof RequestFieldError)) throw err;
            return { index, error: { index, field: err.issue.path, message: err.message } };
          }
        },
        gone,
      );
      if (!results) return null;
      const failed = results.length - chains.length;
      const reply: ScoreBatchResponse = { results, scored: chains.length, failed };
      return { reply, chains, failed };
    });
  }

  private getReward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return this.scored(req, res, async (raw, gone) => {
      const body = accept(parseGetRewardRequest(raw));
      // Every label is checked before any scoring: OpenRLHF needs one number per query, so a bad
      // label fails the request (422 naming it) rather than yielding a made-up reward.
      const items = body.query.map((query, i) => {
        const prompt = body.prompts?.[i];
        const item = resolveItem(
          itemFromLabel(completionFromQuery(query, prompt), body.labels?.[i], `labels[${i}]`),
          this.config,
          `labels[${i}].`,
          this.opts.maxTextChars,
          body.end_markers ?? this.opts.endMarkers,
        );
        if (prompt) item.meta.prompt = prompt;
        return item;
      });
      const scored = await this.sliced(items, (item, i) => scoreResolved(item, `labels[${i}].`), gone);
      if (!scored) return null;
      const reply: GetRewardResponse = {
        rewards: scored.map((r) => r.total),
        scores: scored.map((r) => (r.answer_correct ? 1 : 0)),
        extra_logs: { r_acc: scored.map((r) => r.r_acc), r_val: scored.map((r) => r.r_val), key_step_ratio: scored.map((r) => r.key_step_ratio) },
      };
      return { reply, chains: items.map((item, i) => [item, scored[i]!]), failed: 0 };
    });
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
      ...(item.raw !== undefined ? { raw: item.raw } : {}),
      rewards,
      ...(reference.answer !== undefined ? { answer: reference.answer } : {}),
      ...(reference.keySteps !== undefined ? { keySteps: reference.keySteps } : {}),
      ...meta,
    });
  }

  private health(req: http.IncomingMessage, res: http.ServerResponse): void {
    // A page on an allowed origin may read /health, but without a token it learns no local path.
    const status = this.recorder?.status;
    const hideDir = req.headers.origin !== undefined && !this.tokenMatches;
    const recording: RecordingStatus | undefined = status && hideDir ? { chains: status.chains, steps: status.steps, ...(status.error ? { error: status.error } : {}) } : status;
    const reply: HealthResponse = {
      status: this.closing ? 'closing' : 'ok',
      version: this.opts.version,
      uptime_s: this.metrics.uptimeSeconds,
      config: this.config,
      end_markers: [...this.opts.endMarkers],
      auth: this.tokenMatches ? 'bearer' : 'none',
      ...(recording ? { recording } : {}),
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
      requests_replayed: m.replayed,
      scoring_now: m.scoringNow,
      open_connections: this.sockets.size,
      latency: m.latency(),
    };
    sendJson(res, 200, reply);
  }
}
