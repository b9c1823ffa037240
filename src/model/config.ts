// Size and shape of the multimodal policy (DESIGN §8). The defaults are the demo's policy (a run
// records them in config.json, and the shipped SFT checkpoint is matched on them): ~1.5M parameters
// with the task's vocabulary; 16 px patches, one per grid cell of the default synthetic task (48 px
// / 3 cells), so a shape is never split across patches.

export interface ImageConfig {
  channels: number;
  /** Square images of size × size pixels. */
  size: number;
  patchSize: number;
}

export interface PolicyConfig {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  dFF: number;
  /** Text positions after the image patches. */
  maxTextLen: number;
  image: ImageConfig;
  lnEps: number;
  /** Std of normal-initialised weights (residual projections are scaled by 1/√(2·nLayers)). */
  initStd: number;
}

export const POLICY_DEFAULTS: Omit<PolicyConfig, 'vocabSize'> = {
  dModel: 192,
  nLayers: 3,
  nHeads: 4,
  dFF: 768,
  maxTextLen: 224,
  image: { channels: 3, size: 48, patchSize: 16 },
  lnEps: 1e-5,
  initStd: 0.02,
};

export type PolicyConfigInput = Partial<Omit<PolicyConfig, 'image'>> & { vocabSize: number; image?: Partial<ImageConfig> };

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`policy config: ${field} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Fills defaults and validates every field, naming the one that is wrong. */
export function resolvePolicyConfig(input: PolicyConfigInput): PolicyConfig {
  const c: PolicyConfig = { ...POLICY_DEFAULTS, ...input, image: { ...POLICY_DEFAULTS.image, ...input.image } };
  for (const f of ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'dFF', 'maxTextLen'] as const) positiveInt(f, c[f]);
  for (const f of ['channels', 'size', 'patchSize'] as const) positiveInt(`image.${f}`, c.image[f]);
  if (c.dModel % c.nHeads !== 0) throw new Error(`policy config: dModel ${c.dModel} is not divisible by nHeads ${c.nHeads}`);
  if (c.image.size % c.image.patchSize !== 0) throw new Error(`policy config: image.size ${c.image.size} is not a multiple of image.patchSize ${c.image.patchSize}`);
  if (!(c.lnEps > 0) || !(c.initStd > 0)) throw new Error('policy config: lnEps and initStd must be positive');
  return c;
}

export const numPatches = (c: PolicyConfig): number => (c.image.size / c.image.patchSize) ** 2;
export const patchDim = (c: PolicyConfig): number => c.image.channels * c.image.patchSize ** 2;
/** Total positions: image patches first, then text. */
export const contextLength = (c: PolicyConfig): number => numPatches(c) + c.maxTextLen;
