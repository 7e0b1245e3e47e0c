/** Tensor creation: from data, constants, ranges and seeded random values. */
import type { DType, TypedArray } from '../backend/backend.js';
import { activeBackend, kernel } from '../backend/registry.js';
import { checkShape, shapeToString, sizeOf } from '../backend/shape.js';
import { defaultGenerator, type Generator } from './random.js';
import { storageAdopting } from './storage.js';
import { Tensor, type NestedArray } from './tensor.js';

export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface RandomOptions extends CreationOptions {
  /** Defaults to the global generator seeded by manualSeed(). */
  generator?: Generator;
}

type ShapeArgs<O> = (number | readonly number[] | O | undefined)[];

/** Accepts zeros(2, 3), zeros([2, 3]) and zeros([2, 3], { dtype }) like PyTorch. */
function parseShapeArgs<O extends object>(args: ShapeArgs<O>, op: string): { shape: number[]; opts: O } {
  let opts = {} as O;
  const rest = [...args];
  const last = rest[rest.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    opts = last as O;
    rest.pop();
  }
  const shape = rest.length === 1 && Array.isArray(rest[0]) ? [...(rest[0] as number[])] : (rest as number[]);
  checkShape(shape, op);
  return { shape, opts };
}

/** Wraps an array created by this module (never the caller's) as a tensor, without copying it. */
function make(data: TypedArray, shape: readonly number[], requiresGrad = false): Tensor {
  const t = new Tensor(storageAdopting(activeBackend(), data), shape);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

function arrayOf(dtype: DType | undefined, n: number): TypedArray {
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

/**
 * Creates a tensor from nested arrays, a typed array or a number.
 *
 * Args: data; shape — required for flat arrays of rank > 1; opts.dtype — 'float32' (default; Int32Array gives int32).
 * Example: tensor([[1, 2], [3, 4]]); tensor(new Float32Array(6), [2, 3]); tensor([0, 2, 1], undefined, { dtype: 'int32' })
 */
export function tensor(data: NestedArray | TypedArray | readonly number[], shape?: readonly number[], opts: CreationOptions = {}): Tensor {
  let flat: number[] | TypedArray;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    flat = data as TypedArray;
    inferred = [flat.length];
  } else if (typeof data === 'number') {
    flat = [data];
    inferred = [];
  } else {
    inferred = [];
    let probe: NestedArray = data as NestedArray;
    while (Array.isArray(probe)) {
      inferred.push(probe.length);
      probe = probe[0];
    }
    const out: number[] = [];
    const walk = (v: NestedArray, depth: number): void => {
      if (depth === inferred.length) {
        if (typeof v !== 'number') throw new Error(`tensor: expected a number at depth ${depth}, got ${Array.isArray(v) ? 'an array' : typeof v}`);
        out.push(v);
        return;
      }
      if (!Array.isArray(v) || v.length !== inferred[depth]) {
        throw new Error(`tensor: ragged nested array: expected length ${inferred[depth]} at depth ${depth}, got ${Array.isArray(v) ? v.length : typeof v}`);
      }
      for (const x of v) walk(x, depth + 1);
    };
    walk(data as NestedArray, 0);
    flat = out;
  }
  const finalShape = shape ? [...shape] : inferred;
  checkShape(finalShape, 'tensor');
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values cannot take shape ${shapeToString(finalShape)} (${sizeOf(finalShape)} elements)`);
  }
  const dtype = opts.dtype ?? (flat instanceof Int32Array ? 'int32' : 'float32');
  const arr = arrayOf(dtype, flat.length);
  if (dtype === 'int32') for (let i = 0; i < flat.length; i++) arr[i] = Math.trunc(flat[i]);
  else arr.set(flat);
  return make(arr, finalShape, opts.requiresGrad);
}

/** A tensor filled with `value`. Example: full([2, 3], 0.5) */
export function full(shape: readonly number[], value: number, opts: CreationOptions = {}): Tensor {
  checkShape(shape, 'full');
  const t = Tensor.fromInfo(kernel('fill')(shape, value, opts.dtype ?? 'float32'));
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Zeros. Example: zeros(2, 3) or zeros([2, 3], { dtype: 'int32' }) */
export function zeros(...args: ShapeArgs<CreationOptions>): Tensor {
  const { shape, opts } = parseShapeArgs<CreationOptions>(args, 'zeros');
  return full(shape, 0, opts);
}

/** Ones. Example: ones(2, 3) */
export function ones(...args: ShapeArgs<CreationOptions>): Tensor {
  const { shape, opts } = parseShapeArgs<CreationOptions>(args, 'ones');
  return full(shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}
export function onesLike(t: Tensor, opts: CreationOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}
export function fullLike(t: Tensor, value: number, opts: CreationOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/**
 * Values from start (inclusive) to end (exclusive) by step, like torch.arange; int32 when all arguments are integers.
 * Example: arange(5) → [0,1,2,3,4]; arange(0, 1, 0.25)
 */
export function arange(start: number, end?: number, step = 1, opts: CreationOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const arr = arrayOf(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return make(arr, [n], opts.requiresGrad);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreationOptions = {}): Tensor {
  checkShape([steps], 'linspace');
  const arr = new Float32Array(steps);
  for (let i = 0; i < steps; i++) arr[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return make(arr, [steps], opts.requiresGrad);
}

/** Identity matrix n×m. */
export function eye(n: number, m = n, opts: CreationOptions = {}): Tensor {
  checkShape([n, m], 'eye');
  const arr = arrayOf(opts.dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) arr[i * m + i] = 1;
  return make(arr, [n, m], opts.requiresGrad);
}

/** Uniform on [0, 1), seeded by manualSeed(). Example: rand(2, 3) */
export function rand(...args: ShapeArgs<RandomOptions>): Tensor {
  const { shape, opts } = parseShapeArgs<RandomOptions>(args, 'rand');
  const g = opts.generator ?? defaultGenerator;
  const arr = new Float32Array(sizeOf(shape));
  g.fillUniform(arr);
  return make(arr, shape, opts.requiresGrad);
}

/** Standard normal, seeded by manualSeed(). Example: randn([8, 3, 32, 32]) */
export function randn(...args: ShapeArgs<RandomOptions>): Tensor {
  const { shape, opts } = parseShapeArgs<RandomOptions>(args, 'randn');
  const g = opts.generator ?? defaultGenerator;
  const arr = new Float32Array(sizeOf(shape));
  g.fillNormal(arr);
  return make(arr, shape, opts.requiresGrad);
}

/** Integers uniform in [low, high), int32 by default, like torch.randint. Example: randint(0, 10, [64]) */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  checkShape(shape, 'randint');
  const g = opts.generator ?? defaultGenerator;
  const arr = arrayOf(opts.dtype ?? 'int32', sizeOf(shape));
  for (let i = 0; i < arr.length; i++) arr[i] = g.randint(low, high);
  return make(arr, shape, opts.requiresGrad);
}

export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(t.shape, opts);
}
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(t.shape, opts);
}
