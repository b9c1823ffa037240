// `stepgrpo extract-keysteps`: rule-based, and through an OpenAI-compatible endpoint served on loopback.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildChain } from '../fixtures/chain-builder';
import { runCli as cli } from '../support/cli-harness';

let dir: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-ks-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const input = (): string => {
  const file = path.join(dir, 'in.jsonl');
  fs.writeFileSync(
    file,
    [
      JSON.stringify({ id: 'a', solution: buildChain() }),
      JSON.stringify({ id: 'b', solution: 12 }),
      JSON.stringify({ id: 'c', solution: buildChain(), key_steps: { Steps: ['kept'] } }),
    ].join('\n'),
  );
  return file;
};

describe('stepgrpo extract-keysteps', () => {
  it('rule-based: equations and numbers with units from the steps, in the R1-VL-10K format', async () => {
    const r = await cli(['extract-keysteps', '--in', input()]);
    assert.equal(r.code, 1, r.stderr); // record b has no string solution
    assert.match(r.stderr, /in\.jsonl:2: field solution: expected a string, got number/);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(rows[0].key_steps, { Steps: ['3 squares', '4 circles', '3 + 4 = 7'] });
    assert.deepEqual(rows[2].key_steps, { Steps: ['kept'] });
  });

  it('uses an OpenAI-compatible endpoint when given one (loopback server)', async () => {
    const requests: { url: string; auth: string | undefined; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(body) });
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            choices: [{ message: { role: 'assistant', content: 'Key Elements: Image Description: [grid]; Step 1: [3 squares | three squares]; Step 2: ["3 + 4 = 7"]' } }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await cli(['extract-keysteps', '--in', input(), '--endpoint', `http://127.0.0.1:${port}/v1`], {
        STEPGRPO_KEYSTEP_MODEL: 'extractor-7b',
        STEPGRPO_KEYSTEP_API_KEY: 'k-test',
      });
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(rows[0].key_steps, { Steps: [['3 squares', 'three squares'], '3 + 4 = 7'] });
      assert.equal(requests.length, 1);
      assert.equal(requests[0]!.url, '/v1/chat/completions');
      assert.equal(requests[0]!.auth, 'Bearer k-test');
      assert.equal(requests[0]!.body.model, 'extractor-7b');
      assert.equal(requests[0]!.body.messages[1]!.content, buildChain());
      assert.match(r.stderr, /endpoint extractor-7b/);
    } finally {
      server.close();
    }
  });

  it('an endpoint error is reported per record, not fatal', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await cli(['extract-keysteps', '--in', input(), '--endpoint', `http://127.0.0.1:${port}`, '--model', 'm']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /in\.jsonl:1: extraction failed: endpoint .* answered HTTP 500/);
      assert.equal(r.stdout.trim().split('\n').length, 3);
    } finally {
      server.close();
    }
  });

  it('--endpoint without a model is a usage error', async () => {
    const r = await cli(['extract-keysteps', '--in', input(), '--endpoint', 'http://127.0.0.1:9']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--endpoint needs --model/);
  });
});
