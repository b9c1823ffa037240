// The only file that touches onnxruntime-node: creates inference sessions with an explicit execution
// provider (never a silent fall back), thread count and optimisation level, and runs them on plain
// typed arrays.
import * as ort from 'onnxruntime-node';
import type { TypedData } from './graph';
import type { DType } from './tensor';
import { formatShape, numel } from './tensor';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';
/** Options handed to the execution provider as they are (its own option names). */
export type ProviderOptions = Record<string, string | number | boolean>;
/** ORT's levels: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. ORT itself writes them to stderr. */
export type LogSeverity = 0 | 1 | 2 | 3 | 4;

export interface SessionOptions {
  executionProvider?: ExecutionProvider;
  /** The GPU of the cuda provider; cpu and webgpu (which picks its own adapter) ignore it. */
  deviceId?: number;
  /** webgpu: its options (onnxruntime-node rejects unknown ones). cuda: must be empty, see providerEntry. */
  providerOptions?: ProviderOptions;
  /** Intra-op threads (CPU); 0 lets ORT choose. */
  threads?: number;
  graphOptimization?: GraphOptimization;
  /**
   * Warning by default: ORT says so when a GPU provider leaves nodes to the CPU or adds copies
   * between devices. The per-node placement list needs 0 (verbose).
   */
  logSeverity?: LogSeverity;
  /**
   * ORT's CPU memory arena (default on): it keeps and reuses what a run allocated, which makes the
   * next run fast but holds the largest run's memory. Off, memory goes back after each run, at
   * about 2× the time of a demo gradient pass (docs/engine.md).
   */
  memArena?: boolean;
  /** Used in error messages, e.g. 'train-step'. */
  label?: string;
}

export const SESSION_DEFAULTS: Required<Omit<SessionOptions, 'label'>> = {
  executionProvider: 'cpu',
  deviceId: 0,
  providerOptions: {},
  threads: 0,
  graphOptimization: 'all',
  logSeverity: 2,
  memArena: true,
};

export interface HostTensor {
  dtype: DType;
  shape: readonly number[];
  data: TypedData;
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = { float32: 'float32', float64: 'float64', int64: 'int64', bool: 'bool' };

export function backendAvailability(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** Explains, in words a user can act on, why an execution provider could not start. */
export function explainProviderFailure(ep: ExecutionProvider, detail: string): string {
  if (ep === 'cuda') {
    return (
      'execution provider "cuda" is unavailable: onnxruntime-node was installed without its CUDA provider libraries ' +
      '(libonnxruntime_providers_cuda.so / libonnxruntime_providers_shared.so). Reinstall with ' +
      '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node` (the project .npmrc skips that download by default) ' +
      `and make sure CUDA 12 and cuDNN 9 are on the library path. ORT said: ${detail}`
    );
  }
  if (ep === 'webgpu') {
    return (
      'execution provider "webgpu" is unavailable: no WebGPU adapter was found. It needs a GPU with a working Vulkan ' +
      `driver (libvulkan.so.1) on Linux, D3D12 on Windows or Metal on macOS. ORT said: ${detail}`
    );
  }
  return `execution provider "${ep}" failed to start: ${detail}`;
}

/**
 * The provider entry ORT takes. onnxruntime-node (1.30) passes a cuda entry's `deviceId` and nothing
 * else to the CUDA provider, so other cuda options are refused here rather than silently dropped.
 */
function providerEntry(o: Required<Omit<SessionOptions, 'label'>>, label: string): ort.InferenceSession.ExecutionProviderConfig {
  if (o.executionProvider === 'cuda') {
    const ignored = Object.keys(o.providerOptions);
    if (ignored.length) {
      throw new Error(`${label}: onnxruntime-node passes only the device id to the cuda provider; providerOptions ${ignored.map((k) => `"${k}"`).join(', ')} would be ignored`);
    }
    return { name: 'cuda', deviceId: o.deviceId };
  }
  if (o.executionProvider === 'webgpu') return { ...o.providerOptions, name: 'webgpu' };
  return 'cpu';
}

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export class EngineSession {
  /**
   * ORT tensors already made for a host array: parameters and KV caches are fed every run from the
   * same arrays, so they are wrapped once. ORT reads the array's memory at run time (no copy), so
   * in-place writes between runs are seen.
   */
  private readonly wrapped = new WeakMap<TypedData, ort.Tensor>();

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
    readonly executionProvider: ExecutionProvider,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  static async create(model: Uint8Array, options: SessionOptions = {}): Promise<EngineSession> {
    const o = { ...SESSION_DEFAULTS, ...options };
    const label = options.label ?? 'session';
    if (!['cpu', 'cuda', 'webgpu'].includes(o.executionProvider)) {
      throw new Error(`${label}: unknown execution provider "${String(o.executionProvider)}" (expected cpu, cuda or webgpu)`);
    }
    const known = backendAvailability().find((b) => b.name === o.executionProvider);
    if (!known) throw new Error(`${label}: ${explainProviderFailure(o.executionProvider, 'this onnxruntime-node build does not list it')}`);
    const provider = providerEntry(o, label);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, {
        executionProviders: [provider],
        graphOptimizationLevel: o.graphOptimization,
        intraOpNumThreads: o.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        enableCpuMemArena: o.memArena,
        logSeverityLevel: o.logSeverity,
      });
    } catch (err) {
      const detail = (err as Error).message;
      // The binding's own check of the options (e.g. an option webgpu does not know): not a missing provider.
      if (detail.startsWith('Invalid argument')) throw new Error(`${label}: bad options for execution provider "${o.executionProvider}": ${detail}`);
      const providerProblem = o.executionProvider !== 'cpu' && /provider|shared library|adapter|vulkan|cuda|webgpu|dawn/i.test(detail);
      throw new Error(`${label}: ${providerProblem ? explainProviderFailure(o.executionProvider, detail) : `could not create the session: ${detail}`}`);
    }
    return new EngineSession(session, label, o.executionProvider);
  }

  /** Runs with the given feeds; every declared input must be present with the right shape. */
  async run(feeds: Readonly<Record<string, HostTensor>>, fetch?: readonly string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      const t = feeds[name];
      if (!t) throw new Error(`${this.label}: missing input '${name}'`);
      if (t.data.length !== numel(t.shape)) throw new Error(`${this.label}: input '${name}' has ${t.data.length} values for shape ${formatShape(t.shape)}`);
      let ortTensor = this.wrapped.get(t.data);
      if (!ortTensor || ortTensor.type !== ORT_TYPE[t.dtype] || !sameDims(ortTensor.dims, t.shape)) {
        ortTensor = new ort.Tensor(ORT_TYPE[t.dtype], t.data as never, t.shape);
        this.wrapped.set(t.data, ortTensor);
      }
      ortFeeds[name] = ortTensor;
    }
    let out: ort.InferenceSession.ReturnType;
    try {
      out = fetch ? await this.session.run(ortFeeds, [...fetch]) : await this.session.run(ortFeeds);
    } catch (err) {
      throw new Error(`${this.label}: run failed: ${(err as Error).message}`);
    }
    const result: Record<string, HostTensor> = {};
    for (const [name, t] of Object.entries(out)) {
      result[name] = { dtype: t.type as DType, shape: [...t.dims], data: t.data as TypedData };
    }
    return result;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
