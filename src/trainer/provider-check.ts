// Fails fast on an execution provider that cannot run (DESIGN §7): a one-op session is created with
// the run's runtime settings before any data is generated or step taken, so a missing CUDA library,
// no WebGPU adapter or a provider option onnxruntime-node refuses is the run's first error, with the
// engine's explanation (explainProviderFailure), instead of a failure minutes into SFT.
import { EngineSession, Graph, add, toOnnxBytes } from '../engine';
import type { RuntimeConfig } from './config';

/** Settings that already started here: the trainer process checks before data generation, then runTraining (the CLI's entry) again. */
const started = new Set<string>();

export async function checkExecutionProvider(runtime: Pick<RuntimeConfig, 'executionProvider' | 'deviceId' | 'providerOptions'>): Promise<void> {
  const { executionProvider, deviceId, providerOptions } = runtime;
  const key = JSON.stringify([executionProvider, deviceId, providerOptions]);
  if (started.has(key)) return;
  const g = new Graph('float32', 'provider-check');
  g.output('y', add(g.input('x', [1]), 1));
  const session = await EngineSession.create(toOnnxBytes(g), { executionProvider, deviceId, providerOptions, threads: 1, label: 'startup check' });
  await session.release();
  started.add(key);
}
