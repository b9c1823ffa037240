// Names of graph inputs and outputs that the graph builders declare and the policy runtime feeds
// or reads: one place, so the two sides cannot drift apart.
export const FEED = {
  /** AdamW first and second moments of a parameter (train graph inputs). */
  adamM: (param: string): string => `m.${param}`,
  adamV: (param: string): string => `v.${param}`,
  /** Gradient of the loss for a parameter (gradient-graph output, apply-graph input). */
  grad: (param: string): string => `grad.${param}`,
  /** Updated parameter and moments (train graph outputs). */
  newParam: (param: string): string => `new.${param}`,
  newAdamM: (param: string): string => `new_m.${param}`,
  newAdamV: (param: string): string => `new_v.${param}`,
  /** Keys (transposed) and values of layer l: prefill and decode outputs. */
  layerK: (layer: number): string => `k.${layer}`,
  layerV: (layer: number): string => `v.${layer}`,
  /** The KV cache of layer l as decode inputs. */
  cacheK: (layer: number): string => `cache_k.${layer}`,
  cacheV: (layer: number): string => `cache_v.${layer}`,
} as const;
