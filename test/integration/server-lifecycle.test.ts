// Concurrency, keep-alive, event-loop fairness, timeouts and graceful close of the reward server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { scoreChain } from '../../src/core/reward';
import { buildChain } from '../fixtures/chain-builder';
import { request, startTestServer } from '../support/reward-server-fixture';

const chainFor = (i: number) => buildChain({ answer: String(i % 10), steps: [`Count: there are ${i} squares.`] });

describe('reward server under concurrent use', () => {
  it('64 concurrent batches over 8 keep-alive sockets all come back right and in order', async () => {
    const { server, url } = await startTestServer();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let connections = 0;
    server['server'].on('connection', () => connections++);
    try {
      const replies = await Promise.all(
        Array.from({ length: 64 }, (_, r) =>
          request(
            url,
            'POST',
            '/score_batch',
            Array.from({ length: 16 }, (_, k) => ({ completion: chainFor(r * 16 + k), answer: '3' })),
            { agent },
          ),
        ),
      );
      for (const [r, reply] of replies.entries()) {
        assert.equal(reply.status, 200);
        assert.deepEqual(
          reply.body.results.map((x: { rewards: unknown }) => x.rewards),
          Array.from({ length: 16 }, (_, k) => scoreChain(chainFor(r * 16 + k), { answer: '3' })),
        );
      }
      assert.ok(connections <= 8, `${connections} connections for 64 requests: keep-alive not used`);
      assert.equal(server.metrics.chainsScored, 64 * 16);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('a long batch is scored in slices: other connections are answered while it is scored', async () => {
    const { server, url } = await startTestServer({ sliceMs: 2 });
    try {
      const items = Array.from({ length: 6000 }, (_, i) => ({ completion: chainFor(i), answer: '3', key_steps: [`${i} squares`] }));
      let done = false;
      const batch = request(url, 'POST', '/score_batch', items).finally(() => (done = true));
      // A reply that says a batch is being scored was sent while it was: the loop was not blocked.
      let answeredMidBatch = 0;
      while (!done) {
        const m = await request(url, 'GET', '/metrics');
        if (m.body.scoring_now === 1) answeredMidBatch++;
      }
      const reply = await batch;
      assert.equal(reply.body.scored, 6000);
      assert.ok(answeredMidBatch >= 2, `only ${answeredMidBatch} requests answered while the batch was scored`);
    } finally {
      await server.close();
    }
  });
});

describe('reward server timeouts and shutdown', () => {
  it('a client that never finishes its headers gets 408 and is disconnected', async () => {
    const { server, url } = await startTestServer({ headersTimeoutMs: 150, requestTimeoutMs: 300, timeoutCheckMs: 50 });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(url).port), '127.0.0.1', () => socket.write('POST /score HTTP/1.1\r\nHost: x\r\n'));
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 408 /);
    } finally {
      await server.close();
    }
  });

  it('close() ends idle keep-alive sockets at once, lets a request in flight finish, then refuses new ones', async () => {
    const { server, url } = await startTestServer({ sliceMs: 1 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      // Two idle keep-alive sockets.
      await Promise.all([request(url, 'GET', '/health', undefined, { agent }), request(url, 'GET', '/health', undefined, { agent })]);
      const items = Array.from({ length: 3000 }, (_, i) => ({ completion: chainFor(i), answer: '3' }));
      let done = false;
      const inFlight = request(url, 'POST', '/score_batch', items).finally(() => (done = true));
      let scoring = false;
      while (!done && !scoring) scoring = (await request(url, 'GET', '/metrics')).body.scoring_now === 1;
      assert.ok(scoring, 'the batch finished before close() could be called during it');
      const started = performance.now();
      await server.close(10_000);
      const closeMs = performance.now() - started;
      const reply = await inFlight;
      assert.equal(reply.status, 200);
      assert.equal(reply.body.scored, 3000);
      assert.equal(reply.headers.connection, 'close');
      assert.ok(closeMs < 5000, `close took ${closeMs} ms: idle keep-alive sockets held it open`);
      await assert.rejects(request(url, 'GET', '/health'), /ECONNREFUSED/);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('close() cuts connections still busy after the grace period', async () => {
    const { server, url } = await startTestServer();
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"compl');
    const closed = new Promise((r) => socket.once('close', r));
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    await server.close(100);
    await closed;
    assert.ok(performance.now() - started < 3000);
  });
});
