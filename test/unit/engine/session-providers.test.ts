// Provider settings reach ORT or are refused with a reason: never silently dropped, and an option
// error is not mistaken for a missing provider.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, Graph, add, toOnnxBytes } from '../../../src/engine';

const tiny = (): Uint8Array => {
  const g = new Graph('float32', 'ep');
  g.output('y', add(g.input('x', [1]), 1));
  return toOnnxBytes(g);
};

describe('session provider options', () => {
  it('refuses cuda options that onnxruntime-node would not pass on, naming them', async () => {
    await assert.rejects(
      EngineSession.create(tiny(), { executionProvider: 'cuda', providerOptions: { gpu_mem_limit: 1024 }, label: 'opts' }),
      /opts: onnxruntime-node passes only the device id to the cuda provider; providerOptions "gpu_mem_limit" would be ignored/,
    );
  });

  it('reports an option webgpu does not know as bad options, not as a missing adapter', async () => {
    await assert.rejects(EngineSession.create(tiny(), { executionProvider: 'webgpu', providerOptions: { noSuchOption: 'x' }, label: 'opts' }), (err: Error) => {
      assert.match(err.message, /opts: bad options for execution provider "webgpu": .*unrecognized option: 'noSuchOption'/);
      assert.doesNotMatch(err.message, /adapter/);
      return true;
    });
  });

  it('cpu ignores the settings meant for a GPU provider', async () => {
    const s = await EngineSession.create(tiny(), { deviceId: 3, providerOptions: { validationMode: 'full' }, threads: 1 });
    const out = await s.run({ x: { dtype: 'float32', shape: [1], data: Float32Array.of(1) } });
    assert.equal(out.y!.data[0], 2);
    await s.release();
  });
});
