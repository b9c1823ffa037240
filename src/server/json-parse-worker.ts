// Large request bodies are decoded and parsed on a worker thread: `JSON.parse` of a 16 MiB body
// takes ~55 ms and cannot be sliced, and the 16 MB strings it makes cost the main thread GC pauses
// too, so `/health` waited past its 100 ms target behind one such request (issue 19). The main
// thread hands over the bytes (transferred, not copied) and gets the parsed value back as a
// structured clone. Small bodies stay on the main thread (http-body.ts parseJsonBody): a round trip
// to the worker costs more than their parse.
//
// The worker's source is inline JavaScript, so it runs the same under tsx, in the esbuild bundle of
// the extension and in the CLI, with no separate file to ship.
import { Worker } from 'node:worker_threads';
import { bodyFaultError, HttpError, type BodyFault } from './http-body';

/** Bodies of at least this many bytes are parsed off the main thread (a parse of ~1 ms and up). */
export const DEFAULT_WORKER_PARSE_BYTES = 256 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const utf8 = new TextDecoder('utf-8', { fatal: true });
parentPort.on('message', ({ id, bytes }) => {
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    return parentPort.postMessage({ id, fault: { kind: 'utf8' } });
  }
  if (text.trim() === '') return parentPort.postMessage({ id, fault: { kind: 'empty' } });
  let value;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return parentPort.postMessage({ id, fault: { kind: 'json', message: err.message } });
  }
  parentPort.postMessage({ id, value });
});
`;

type Reply = { id: number; value: unknown; fault?: undefined } | { id: number; fault: BodyFault };

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** One worker thread, started on the first large body, that parses bodies in arrival order. */
export class JsonParseWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  /** The body's JSON value, or an HttpError 400 like parseJsonBody's. */
  parse(bytes: Uint8Array): Promise<unknown> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Transfer only a buffer the bytes own alone (a Buffer may be a view into a shared pool).
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      worker.postMessage({ id, bytes }, owned ? [bytes.buffer as ArrayBuffer] : []);
      worker.ref();
    });
  }

  /** Stops the worker; bodies still being parsed fail with 503. */
  close(): void {
    void this.worker?.terminate();
    this.failAll(new HttpError(503, 'the reward server is closing'));
    this.worker = null;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (reply: Reply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.fault) pending.reject(bodyFaultError(reply.fault));
      else pending.resolve(reply.value);
    });
    // A worker that dies (out of memory on a hostile body) fails what it held; the next body starts another.
    worker.on('error', (err) => this.lost(worker, err.message));
    worker.on('exit', (code) => this.lost(worker, `exited with code ${code}`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(new Error(`the JSON parse worker stopped: ${why}`));
  }

  private failAll(err: Error): void {
    for (const pending of this.pending.values()) pending.reject(err);
    this.pending.clear();
  }
}
