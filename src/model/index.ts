// Public surface of the model: config, tokenizer, images, parameters, graphs, sampler, runtime.
export * from './config';
export * from './tokenizer';
export * from './image';
export * from './params';
export * from './batch';
export * from './loss';
export * from './graphs';
export * from './sampler';
export * from './rng';
export * from './policy';
export * from './kv-cache';
export * from './kv-sampler';
export { policyLogits, policyDecodeStep, policyPrefill, declareParams } from './transformer';
