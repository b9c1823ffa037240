// Idempotent scoring: a request that carries an `X-Request-Id` is answered once. A retry with the
// same id (the client timed out, or its connection dropped after the reply was sent) gets the first
// reply again and records nothing; a retry that arrives while the first is still being scored waits
// for it. A first attempt abandoned before it finished (its client went away) recorded nothing
// (the server records a request's chains only once all are scored), so the retry scores afresh.
// Memory is bounded: the oldest replies are forgotten past `maxEntries` or `maxBytes`.

export const REQUEST_ID_HEADER = 'x-request-id';
export const DEFAULT_REPLAY_ENTRIES = 100_000;
export const DEFAULT_REPLAY_BYTES = 64 * 1024 * 1024;
/** Longer ids are refused (400): an id is a key, not a payload. */
export const MAX_REQUEST_ID_LENGTH = 200;

export interface StoredReply {
  status: number;
  body: string;
}

export class ReplayCache {
  private readonly done = new Map<string, StoredReply>();
  private readonly running = new Map<string, Promise<StoredReply | null>>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = DEFAULT_REPLAY_ENTRIES,
    private readonly maxBytes = DEFAULT_REPLAY_BYTES,
  ) {}

  get size(): number {
    return this.done.size;
  }

  /**
   * The reply for `key`: a stored one, or the one a running attempt produces, or `compute()`'s,
   * which is stored when it is not null (null: abandoned, nothing to replay).
   */
  async once(key: string, compute: () => Promise<StoredReply | null>): Promise<{ reply: StoredReply | null; replayed: boolean }> {
    for (;;) {
      const stored = this.done.get(key);
      if (stored) return { reply: stored, replayed: true };
      const running = this.running.get(key);
      if (!running) break;
      const reply = await running;
      if (reply) return { reply, replayed: true };
    }
    const attempt = compute();
    this.running.set(key, attempt);
    try {
      const reply = await attempt;
      if (reply) this.store(key, reply);
      return { reply, replayed: false };
    } finally {
      this.running.delete(key);
    }
  }

  private store(key: string, reply: StoredReply): void {
    this.done.set(key, reply);
    this.bytes += key.length + reply.body.length;
    for (const [oldKey, old] of this.done) {
      if (this.done.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.done.delete(oldKey);
      this.bytes -= oldKey.length + old.body.length;
    }
  }
}
