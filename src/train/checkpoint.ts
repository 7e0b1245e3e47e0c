/**
 * Checkpoints: one safetensors file holding the model weights (model.<name>), the optimizer's state tensors
 * (optimizer.state.<index>.<key>) and, as JSON metadata, everything else needed to resume exactly: epoch, optimizer
 * hyperparameters and step counts, scheduler state, RNG state, history and early-stopping state. Written atomically.
 */
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { describeValue, FormatError } from '../io/format_error.js';
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
/** Parses toJson's output; `onKey` sees every key first (to refuse hostile ones). */
export function fromJson<T>(text: string, onKey?: (key: string) => void): T {
  return JSON.parse(text, (k, v) => {
    onKey?.(k);
    return v && typeof v === 'object' && typeof v.$number === 'string' && Object.keys(v).length === 1 ? Number(v.$number) : v;
  });
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
  await onHost([...Object.values(model.stateDict()), ...Object.values(optimizer.stateDict().state).flatMap((s) => Object.values(s))]);
  await writeFileAtomic(path, encodeCheckpoint(model, optimizer, scheduler, epoch, extra), 'saveCheckpoint');
}

/** Waits until the values of these tensors are on the host (GPU backends read back here; host backends return at once). */
export async function onHost(values: readonly unknown[]): Promise<void> {
  await Promise.all(values.filter((v): v is Tensor => v instanceof Tensor).map((t) => t.storage.readAsync()));
}

/** A checkpoint file that is not a valid convnet-ts checkpoint: truncated, corrupt, foreign or hostile. */
export class CheckpointError extends FormatError {
  constructor(message: string) {
    super('checkpoint', message);
    this.name = 'CheckpointError';
  }
}

/** A decoded, validated checkpoint: null-prototype records keyed by parameter name and optimizer index. */
export interface Checkpoint {
  meta: CheckpointMeta;
  weights: Record<string, Tensor>;
  optimizerState: Record<string, Record<string, Tensor | number>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isIndex = (k: string) => /^(0|[1-9]\d{0,8})$/.test(k);
/** Keys that would reach a prototype if merged into a plain object: never in a checkpoint we wrote. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Checks the metadata's shape and ranges, so a corrupt file fails here naming the field, not later. */
function validateMeta(meta: unknown, name: string): CheckpointMeta {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new CheckpointError(`${name}: checkpoint metadata field '${field}' must be ${expected}, got ${describeValue(got)}`);
  };
  if (!isRecord(meta)) bad('(root)', 'an object', meta);
  const m = meta as Record<string, unknown>;
  if (!Number.isSafeInteger(m.epoch) || (m.epoch as number) < 0 || (m.epoch as number) > 1e7) bad('epoch', 'an integer in 0..1e7', m.epoch);
  const rng = m.rng as Record<string, unknown>;
  if (!isRecord(rng) || !Array.isArray(rng.s) || rng.s.length !== 4 || !rng.s.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32))
    bad('rng.s', 'four 32-bit unsigned integers', rng?.s);
  if (rng.spare !== null && typeof rng.spare !== 'number') bad('rng.spare', 'a number or null', rng.spare);
  if (m.scheduler !== null && !isRecord(m.scheduler)) bad('scheduler', 'an object or null', m.scheduler);
  const opt = m.optimizer as Record<string, unknown>;
  if (!isRecord(opt)) bad('optimizer', 'an object', opt);
  if (!Array.isArray(opt.paramGroups) || opt.paramGroups.length > 1e4) bad('optimizer.paramGroups', 'a list', opt.paramGroups);
  (opt.paramGroups as unknown[]).forEach((g, i) => {
    if (!isRecord(g)) bad(`optimizer.paramGroups[${i}]`, 'an object', g);
    const params = (g as Record<string, unknown>).params;
    if (!Array.isArray(params) || params.length > 1e7 || !params.every((p) => Number.isInteger(p) && p >= 0 && p < 1e8))
      bad(`optimizer.paramGroups[${i}].params`, 'a list of parameter indices', params);
    if (typeof (g as Record<string, unknown>).lr !== 'number') bad(`optimizer.paramGroups[${i}].lr`, 'a number', (g as Record<string, unknown>).lr);
  });
  if (!isRecord(opt.numbers)) bad('optimizer.numbers', 'an object', opt.numbers);
  for (const [idx, nums] of Object.entries(opt.numbers as Record<string, unknown>)) {
    if (!isIndex(idx)) bad('optimizer.numbers', 'keyed by parameter index', idx);
    if (!isRecord(nums) || !Object.values(nums).every((v) => typeof v === 'number')) bad(`optimizer.numbers.${idx}`, 'an object of numbers', nums);
  }
  if (!isRecord(m.extra)) bad('extra', 'an object', m.extra);
  return m as unknown as CheckpointMeta;
}

/**
 * Decodes and validates a checkpoint's bytes (nothing is applied yet).
 *
 * Args: bytes — the file's contents; name — the file, for errors.
 * Throws: CheckpointError (or SafetensorsError for a damaged container) naming the file and the field.
 */
export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  let decoded;
  try {
    decoded = decodeSafetensors(bytes, { name });
  } catch (e) {
    if (e instanceof FormatError) throw new CheckpointError(`${name}: not a readable checkpoint (${e.message})`);
    throw e;
  }
  const { tensors, metadata } = decoded;
  if (typeof metadata['convnet-ts'] !== 'string')
    throw new CheckpointError(`${name} is a safetensors file but not a convnet-ts checkpoint (no training metadata)`);
  let raw: unknown;
  try {
    raw = fromJson(metadata['convnet-ts'], (k) => {
      if (FORBIDDEN_KEYS.has(k)) throw new CheckpointError(`${name}: checkpoint metadata holds the key '${k}' (a hostile or corrupt file)`);
    });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${name}: checkpoint metadata is not valid JSON (${(e as Error).message})`);
  }
  const meta = validateMeta(raw, name);
  const weights: Record<string, Tensor> = Object.create(null);
  const optimizerState: Record<string, Record<string, Tensor | number>> = Object.create(null);
  for (const [k, v] of Object.entries(tensors)) {
    if (k.startsWith('model.')) weights[k.slice(6)] = v;
    else if (k.startsWith('optimizer.state.')) {
      const [idx, ...rest] = k.slice('optimizer.state.'.length).split('.');
      const key = rest.join('.');
      if (!isIndex(idx) || !key || FORBIDDEN_KEYS.has(key))
        throw new CheckpointError(`${name}: unexpected optimizer tensor '${k}' (expected optimizer.state.INDEX.NAME)`);
      (optimizerState[idx] ??= Object.create(null))[key] = v;
    } else throw new CheckpointError(`${name}: unexpected tensor '${k}' (expected model.* or optimizer.state.*)`);
  }
  for (const [idx, nums] of Object.entries(meta.optimizer.numbers)) {
    const s = (optimizerState[idx] ??= Object.create(null));
    for (const [key, v] of Object.entries(nums)) {
      if (FORBIDDEN_KEYS.has(key) || key in s) throw new CheckpointError(`${name}: optimizer state '${idx}.${key}' is invalid or given twice`);
      s[key] = v;
    }
  }
  return { meta, weights, optimizerState };
}

/** Restores model, optimizer, scheduler and the global RNG from a decoded checkpoint; `name` is for errors. */
export function applyCheckpoint(ckpt: Checkpoint, model: AnyModule, optimizer: Optimizer, scheduler: Schedulable | null, name: string): void {
  const { meta } = ckpt;
  try {
    model.loadStateDict(ckpt.weights);
  } catch (e) {
    throw new CheckpointError(`${name} does not match this model: ${(e as Error).message}`);
  }
  try {
    optimizer.loadStateDict({ state: ckpt.optimizerState, paramGroups: meta.optimizer.paramGroups } as never);
    if (scheduler && meta.scheduler) scheduler.loadStateDict(meta.scheduler);
  } catch (e) {
    throw new CheckpointError(`${name} does not match this optimizer or schedule: ${(e as Error).message}`);
  }
  setRngState(meta.rng);
}

/** Restores model, optimizer, scheduler and the global RNG from a checkpoint file; returns its metadata. */
export async function loadCheckpoint(path: string, model: AnyModule, optimizer: Optimizer, scheduler: Schedulable | null): Promise<CheckpointMeta> {
  const ckpt = decodeCheckpoint(await readFileBytes(path, 'loadCheckpoint'), path);
  applyCheckpoint(ckpt, model, optimizer, scheduler, path);
  return ckpt.meta;
}
