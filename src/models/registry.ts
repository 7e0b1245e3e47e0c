/** The model zoo registry: models.create(name, options) and models.list(). */
import type { Module } from '../nn/module.js';
import { lenet, lenet5 } from './lenet.js';

export interface ModelInfo {
  name: string;
  description: string;
  /** The input shape the model is built for ([C, H, W]). */
  inputShape: [number, number, number];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Factory = (opts: any) => Module;
const REGISTRY = new Map<string, { factory: Factory; info: ModelInfo }>();

/** Adds a model to the registry (later issues register the rest of the zoo here). */
export function register(info: ModelInfo, factory: Factory): void {
  REGISTRY.set(info.name, { factory, info });
}

register({ name: 'lenet5', description: 'LeNet-5 (1998): conv6-pool-conv16-pool-conv120-fc84-fc10 on 32×32; options activation relu|tanh, pooling max|avg', inputShape: [1, 32, 32] }, lenet5);
register({ name: 'lenet', description: "The lectures' LeNet: conv20-pool-conv50-pool-fc500-fc10 on 28×28", inputShape: [1, 28, 28] }, lenet);

/**
 * Builds a registered model. Options: numClasses, inChannels and model-specific ones.
 * Example: models.create('lenet5', { numClasses: 10, activation: 'relu', pooling: 'max' })
 */
export function create(name: string, opts: Record<string, unknown> = {}): Module {
  const entry = REGISTRY.get(name);
  if (!entry) throw new Error(`models.create: unknown model '${name}' (available: ${[...REGISTRY.keys()].join(', ')})`);
  return entry.factory(opts);
}

/** Registered models with their descriptions and natural input shapes. */
export function list(): ModelInfo[] {
  return [...REGISTRY.values()].map((e) => e.info);
}
