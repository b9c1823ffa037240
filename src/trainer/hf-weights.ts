// An HF model folder's weights as float32 under their HF names: model.safetensors or a sharded
// index, F32, BF16, F16 or F64 (widened on the CPU), checked against the config's inventory.
import { type SafetensorsModel, bf16ToF32, f16ToF32 } from '../engine';
import type { ParamValues } from '../model/params';
import { type HfDecoderConfig, hfParamSpecs } from '../model/hf/config';
import { readSafetensorsModel } from './safetensors-files';

export function loadHfWeights(dir: string, config: HfDecoderConfig): ParamValues {
  return hfWeightsOf(readSafetensorsModel(dir), dir, config);
}

/** The weights of a model already read (readSafetensorsModel of `dir`), as loadHfWeights returns them. */
export function hfWeightsOf(model: SafetensorsModel, dir: string, config: HfDecoderConfig): ParamValues {
  const out: ParamValues = new Map();
  for (const spec of hfParamSpecs(config)) {
    const t = model.tensors.get(spec.name);
    const where = model.layout.tensors.get(spec.name)?.file ?? 'model.safetensors';
    if (!t)
      throw new Error(`${dir}: tensor '${spec.name}' is missing from the safetensors files (config.json describes a ${config.architecture} model with ${config.numLayers} layers)`);
    if (t.shape.join() !== spec.shape.join()) throw new Error(`${dir}/${where}: tensor '${spec.name}' is [${t.shape}], config.json implies [${spec.shape}]`);
    const data =
      t.dtype === 'BF16'
        ? bf16ToF32(t.data as Uint16Array)
        : t.dtype === 'F16'
          ? f16ToF32(t.data as Uint16Array)
          : t.dtype === 'F32'
            ? (t.data as Float32Array)
            : t.dtype === 'F64'
              ? Float32Array.from(t.data as Float64Array)
              : undefined;
    if (!data) throw new Error(`${dir}/${where}: tensor '${spec.name}' is ${t.dtype}; weights must be F32, BF16, F16 or F64`);
    out.set(spec.name, data);
  }
  return out;
}
