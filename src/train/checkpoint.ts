/**
 * Checkpoints: one safetensors file holding the model weights (model.<name>), the optimizer's state tensors
 * (optimizer.state.<index>.<key>) and, as JSON metadata, everything else needed to resume exactly: epoch, optimizer
 * hyperparameters and step counts, scheduler state, RNG state, history and early-stopping state. Written atomically.
 */
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import type { AnyModule } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import { readFileBytes, writeFileAtomic } from '../platform/node.js';
import { getRngState, setRngState, type RngState } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

export interface Schedulable {
  stateDict(): Record<string, unknown>;
  loadStateDict(sd: Record<string, unknown>): void;
}

export interface CheckpointMeta {
  epoch: number;
  rng: RngState;
  scheduler: Record<string, unknown> | null;
  optimizer: { paramGroups: OptimizerStateDict<never>['paramGroups']; numbers: Record<string, Record<string, number>> };
  extra: Record<string, unknown>;
}

/** JSON that keeps Infinity, -Infinity and NaN (ReduceLROnPlateau's initial best is Infinity). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $number: String(v) } : v));
}
export function fromJson<T>(text: string): T {
  return JSON.parse(text, (_k, v) => (v && typeof v === 'object' && typeof v.$number === 'string' && Object.keys(v).length === 1 ? Number(v.$number) : v));
}

export function encodeCheckpoint(
  model: AnyModule,
  optimizer: Optimizer,
  scheduler: Schedulable | null,
  epoch: number,
  extra: Record<string, unknown>,
): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
  const osd = optimizer.stateDict();
  const numbers: Record<string, Record<string, number>> = {};
  for (const [idx, state] of Object.entries(osd.state)) {
    for (const [key, v] of Object.entries(state)) {
      if (v instanceof Tensor) tensors[`optimizer.state.${idx}.${key}`] = v;
      else (numbers[idx] ??= {})[key] = v;
    }
  }
  const meta: CheckpointMeta = {
    epoch,
    rng: getRngState(),
    scheduler: scheduler ? scheduler.stateDict() : null,
    optimizer: { paramGroups: osd.paramGroups as never, numbers },
    extra,
  };
  return encodeSafetensors(tensors, { format: 'convnet-ts checkpoint', 'convnet-ts': toJson(meta) });
}

export async function saveCheckpoint(
  path: string,
  model: AnyModule,
  optimizer: Optimizer,
  scheduler: Schedulable | null,
  epoch: number,
  extra: Record<string, unknown>,
): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(model, optimizer, scheduler, epoch, extra), 'saveCheckpoint');
}

/** Restores model, optimizer, scheduler and the global RNG from a checkpoint; returns its metadata. */
export async function loadCheckpoint(path: string, model: AnyModule, optimizer: Optimizer, scheduler: Schedulable | null): Promise<CheckpointMeta> {
  const { tensors, metadata } = decodeSafetensors(await readFileBytes(path, 'loadCheckpoint'), { name: path });
  if (!metadata['convnet-ts']) throw new Error(`loadCheckpoint: ${path} is a safetensors file but not a convnet-ts checkpoint (no training metadata)`);
  const meta = fromJson<CheckpointMeta>(metadata['convnet-ts']);
  const weights: Record<string, Tensor> = {};
  const state: Record<string, Record<string, Tensor | number>> = {};
  for (const [k, v] of Object.entries(tensors)) {
    if (k.startsWith('model.')) weights[k.slice(6)] = v;
    else if (k.startsWith('optimizer.state.')) {
      const [idx, ...rest] = k.slice('optimizer.state.'.length).split('.');
      (state[idx] ??= {})[rest.join('.')] = v;
    }
  }
  for (const [idx, nums] of Object.entries(meta.optimizer.numbers)) Object.assign((state[idx] ??= {}), nums);
  try {
    model.loadStateDict(weights);
  } catch (e) {
    throw new Error(`loadCheckpoint: ${path} does not match this model: ${(e as Error).message}`);
  }
  optimizer.loadStateDict({ state, paramGroups: meta.optimizer.paramGroups } as never);
  if (scheduler && meta.scheduler) scheduler.loadStateDict(meta.scheduler);
  setRngState(meta.rng);
  return meta;
}
