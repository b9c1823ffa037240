// Parameter inventory of the policy: names, shapes, initialisation and whether AdamW decays them.
import { type PolicyConfig, contextLength, patchDim } from './config';
import { Rng } from './rng';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  std?: number;
  /** Weight decay applies to matrices, not to biases, norms or embeddings. */
  decay: boolean;
}

export type ParamValues = Map<string, Float32Array>;

export function paramSpecs(c: PolicyConfig): ParamSpec[] {
  const D = c.dModel;
  const resid = c.initStd / Math.sqrt(2 * c.nLayers);
  const specs: ParamSpec[] = [
    { name: 'wte', shape: [c.vocabSize, D], init: 'normal', std: c.initStd, decay: false },
    { name: 'wpe', shape: [contextLength(c), D], init: 'normal', std: c.initStd, decay: false },
    { name: 'patch.w', shape: [patchDim(c), D], init: 'normal', std: c.initStd, decay: true },
    { name: 'patch.b', shape: [D], init: 'zeros', decay: false },
  ];
  for (let l = 0; l < c.nLayers; l++) {
    const p = `h${l}.`;
    specs.push(
      { name: `${p}ln1.g`, shape: [D], init: 'ones', decay: false },
      { name: `${p}ln1.b`, shape: [D], init: 'zeros', decay: false },
      { name: `${p}qkv.w`, shape: [D, 3 * D], init: 'normal', std: c.initStd, decay: true },
      { name: `${p}qkv.b`, shape: [3 * D], init: 'zeros', decay: false },
      { name: `${p}o.w`, shape: [D, D], init: 'normal', std: resid, decay: true },
      { name: `${p}o.b`, shape: [D], init: 'zeros', decay: false },
      { name: `${p}ln2.g`, shape: [D], init: 'ones', decay: false },
      { name: `${p}ln2.b`, shape: [D], init: 'zeros', decay: false },
      { name: `${p}fc.w`, shape: [D, c.dFF], init: 'normal', std: c.initStd, decay: true },
      { name: `${p}fc.b`, shape: [c.dFF], init: 'zeros', decay: false },
      { name: `${p}proj.w`, shape: [c.dFF, D], init: 'normal', std: resid, decay: true },
      { name: `${p}proj.b`, shape: [D], init: 'zeros', decay: false },
    );
  }
  specs.push({ name: 'lnf.g', shape: [D], init: 'ones', decay: false }, { name: 'lnf.b', shape: [D], init: 'zeros', decay: false });
  return specs;
}

export const countParams = (c: PolicyConfig): number => paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);

export function initParams(c: PolicyConfig, seed: number): ParamValues {
  const rng = new Rng(seed);
  const values: ParamValues = new Map();
  for (const s of paramSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (s.init === 'ones') data.fill(1);
    else if (s.init === 'normal') for (let i = 0; i < n; i++) data[i] = rng.normal() * s.std!;
    values.set(s.name, data);
  }
  return values;
}
