// Provider settings reach ORT or are refused with a reason: never silently dropped, and an option
// error is not mistaken for a missing provider. On a machine without a GPU a cuda or webgpu request
// must be refused with what is missing, by the engine and by the trainer's startup check alike.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { EngineSession, Graph, add, explainProviderFailure, toOnnxBytes } from '../../../src/engine';
import { checkExecutionProvider } from '../../../src/trainer/provider-check';

/** Device nodes a GPU provider needs (NVIDIA driver for cuda, a DRM render node for Vulkan/WebGPU). */
const gpuDevices = ['/dev/nvidiactl', '/dev/dri'].filter((p) => fs.existsSync(p));
const onGpuMachine = gpuDevices.length > 0 && `this machine has ${gpuDevices.join(', ')}: scripts/gpu-check.ts compares the GPU provider with cpu there`;

/** What the refusal must name, per provider: the missing pieces and how to get them. */
const MISSING: Record<'cuda' | 'webgpu', RegExp[]> = {
  cuda: [/execution provider "cuda" is unavailable/, /libonnxruntime_providers_cuda\.so/, /ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node/, /CUDA 12 and cuDNN 9/],
  webgpu: [/execution provider "webgpu" is unavailable/, /no WebGPU adapter/, /Vulkan driver \(libvulkan\.so\.1\)/],
};

function assertNamesWhatIsMissing(err: unknown, ep: 'cuda' | 'webgpu', label: string): true {
  assert.ok(err instanceof Error, `${ep}: rejected with ${String(err)}`);
  assert.ok(err.message.startsWith(`${label}: `), `${ep}: the error names the session: ${err.message}`);
  for (const part of MISSING[ep]) assert.match(err.message, part);
  assert.match(err.message, /ORT said: \S/, `${ep}: the error keeps ORT's own reason`);
  return true;
}

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

  for (const ep of ['cuda', 'webgpu'] as const) {
    it(`refuses ${ep} on a machine without a GPU, naming what is missing (never a silent cpu session)`, { skip: onGpuMachine }, async () => {
      await assert.rejects(EngineSession.create(tiny(), { executionProvider: ep, label: 'ep-check' }), (err) => assertNamesWhatIsMissing(err, ep, 'ep-check'));
    });

    it(`the trainer's startup check refuses ${ep} the same way, every time it is asked`, { skip: onGpuMachine }, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        await assert.rejects(checkExecutionProvider({ executionProvider: ep, deviceId: 0, providerOptions: {} }), (err) => assertNamesWhatIsMissing(err, ep, 'startup check'));
      }
    });
  }

  it('refuses a provider it does not know, and explains one it cannot start', async () => {
    await assert.rejects(EngineSession.create(tiny(), { executionProvider: 'tpu' as never }), /unknown execution provider "tpu" \(expected cpu, cuda or webgpu\)/);
    assert.match(explainProviderFailure('cuda', 'x'), /the project \.npmrc skips that download/);
  });

  it('cpu ignores the settings meant for a GPU provider', async () => {
    const s = await EngineSession.create(tiny(), { deviceId: 3, providerOptions: { validationMode: 'full' }, threads: 1 });
    const out = await s.run({ x: { dtype: 'float32', shape: [1], data: Float32Array.of(1) } });
    assert.equal(out.y!.data[0], 2);
    await s.release();
  });
});
