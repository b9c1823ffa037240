import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError, parseJsonBody } from '../../../src/server/http-body';
import { JsonParseWorker } from '../../../src/server/json-parse-worker';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** The worker's outcome and the main thread's (parseJsonBody, the reference) for one body. */
async function both(worker: JsonParseWorker, body: Uint8Array): Promise<{ worker: unknown; main: unknown }> {
  const outcome = (run: () => unknown) => {
    try {
      return { value: run() };
    } catch (err) {
      return { status: (err as HttpError).status, message: (err as Error).message };
    }
  };
  const main = outcome(() => parseJsonBody(body));
  const copy = Uint8Array.prototype.slice.call(body);
  const viaWorker = await worker.parse(copy).then(
    (value) => ({ value }),
    (err: Error) => ({ status: (err as HttpError).status, message: err.message }),
  );
  return { worker: viaWorker, main };
}

describe('JsonParseWorker', () => {
  const worker = new JsonParseWorker();
  after(() => worker.close());

  it('parses as parseJsonBody does, values and 400s alike', async () => {
    const bodies = [
      bytes(JSON.stringify({ completion: 'é ∑ 😀'.repeat(1000), items: [1, -0, 1e300, null, true, { a: [[]] }] })),
      bytes('   '),
      bytes('{"a": 1,}'),
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), // {"a":"<bad UTF-8>"}
    ];
    for (const body of bodies) {
      const { worker: got, main } = await both(worker, body);
      assert.deepEqual(got, main);
    }
  });

  it('parses a view into a larger buffer without taking the buffer from its owner', async () => {
    const pool = Buffer.from(`xx${JSON.stringify({ n: 42 })}yy`);
    const view = pool.subarray(2, pool.length - 2);
    assert.deepEqual(await worker.parse(view), { n: 42 });
    assert.equal(pool.toString(), 'xx{"n":42}yy');
  });

  it('answers concurrent bodies each with its own value', async () => {
    const values = Array.from({ length: 20 }, (_, i) => ({ i, text: 'x'.repeat(i * 1000) }));
    const parsed = await Promise.all(values.map((v) => worker.parse(bytes(JSON.stringify(v)))));
    assert.deepEqual(parsed, values);
  });

  it('fails bodies still being parsed when closed, and starts afresh after', async () => {
    const own = new JsonParseWorker();
    const pending = own.parse(bytes(JSON.stringify({ a: 'y'.repeat(4_000_000) })));
    own.close();
    await assert.rejects(pending, (err: HttpError) => err.status === 503);
    assert.deepEqual(await own.parse(bytes('[1]')), [1]);
    own.close();
  });
});
