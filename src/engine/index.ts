// Public surface of the engine: graph builder, ops, reverse mode, optimiser pieces, serialisation,
// safetensors and the ORT session wrapper.
export * from './tensor';
export * from './graph';
export * from './ops';
export * from './autodiff';
export * from './optim';
export * from './serialize';
export * from './safetensors';
export * from './safetensors-shards';
export * from './half';
export * from './session';
export * from './chunked-logprobs';
export * from './host-adamw';
export * from './after';
export * from './recompute';
export * from './head-gradient-slice';
export * from './fused';
