/**
 * Tensor: shape, dtype and a Storage owned by a backend, plus autograd state. Values are read through the
 * backend; ops never mutate a tensor except the explicit in-place methods used under noGrad (optimizers).
 */
import type { DType, TensorInfo, TypedArray } from '../backend/backend.js';
import { activeBackend } from '../backend/registry.js';
import { runBackward, type BackwardOptions } from '../autograd/backward.js';
import type { GradNode } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad_mode.js';
import type * as OpsModule from '../ops/index.js';
import { sizeOf, shapeToString, type Shape } from '../backend/shape.js';
import { Storage } from './storage.js';
import { formatTensor } from './format.js';

type Ops = typeof OpsModule;
let ops: Ops;

/** Called once by src/ops/index.ts so Tensor methods can reach the ops without an import cycle. */
export function bindTensorOps(o: Ops): void {
  ops = o;
}

export type NestedArray = number | NestedArray[];
type Dims = number | readonly number[];

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal The backend memory behind this tensor (shared by views). */
  storage: Storage;
  /** Whether gradients flow to this tensor; leaves with requiresGrad accumulate `.grad`. */
  requiresGrad = false;
  /** Accumulated gradient of a leaf (or of a non-leaf after retainGrad()). */
  grad: Tensor | null = null;
  /** @internal The op that produced this tensor, when recorded. */
  gradFn: GradNode | null = null;
  /** @internal */
  retainsGrad = false;

  constructor(storage: Storage, shape: Shape, dtype: DType = storage.dtype) {
    if (sizeOf(shape) !== storage.size) {
      throw new Error(`Tensor: shape ${shapeToString(shape)} has ${sizeOf(shape)} elements but the storage holds ${storage.size}`);
    }
    this.storage = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
  }

  /** @internal Wraps a kernel result. */
  static fromInfo(info: TensorInfo): Tensor {
    return new Tensor(new Storage(activeBackend(), info.handle, sizeOf(info.shape), info.dtype), info.shape, info.dtype);
  }

  /** @internal The kernel-facing view, moved to the active backend if needed. */
  info(): TensorInfo {
    this.storage.moveTo(activeBackend());
    return { handle: this.storage.handle, shape: this.shape, dtype: this.dtype };
  }

  // ---- metadata ----
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  /** The shape, or the size of one dim (negative dims count from the end), as torch's x.size(). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[dim < 0 ? dim + this.shape.length : dim];
  }
  /** Number of elements. */
  numel(): number {
    return this.storage.size;
  }
  /** True when no recorded op produced this tensor. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  // ---- reading values ----
  /** A copy of the values as a typed array (Float32Array or Int32Array), row-major. */
  data(): TypedArray {
    return this.storage.read().slice();
  }
  /**
   * A copy of the values, once the backend has computed them: the way to read a tensor on the webgpu backend, where
   * it is the only synchronisation (afterwards data() reads the same values without waiting). Works on every backend.
   * Example: `const v = await loss.dataAsync()`
   */
  async dataAsync(): Promise<TypedArray> {
    return (await this.storage.readAsync()).slice();
  }
  /** item() that waits for the backend (see dataAsync). */
  async itemAsync(): Promise<number> {
    if (this.numel() !== 1) throw new Error(`itemAsync: only one-element tensors can be converted to a number, got shape ${shapeToString(this.shape)}`);
    return (await this.storage.readAsync())[0];
  }
  /** toArray() that waits for the backend (see dataAsync). */
  async toArrayAsync(): Promise<NestedArray> {
    await this.storage.readAsync();
    return this.toArray();
  }
  /** The values as nested arrays. */
  toArray(): NestedArray {
    const d = this.storage.read();
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return d[offset];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * step));
    };
    return build(0, 0);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel() !== 1) throw new Error(`item: only one-element tensors can be converted to a number, got shape ${shapeToString(this.shape)}`);
    return this.storage.read()[0];
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- autograd ----
  /**
   * Computes gradients of this tensor with respect to every leaf that requires them.
   * Args: grad — upstream gradient (required unless this tensor has one element); retainGraph — keep the graph.
   */
  backward(grad?: Tensor, opts?: BackwardOptions): void {
    if (!this.requiresGrad) throw new Error('backward: this tensor does not require grad and has no grad_fn');
    if (grad === undefined) {
      if (this.numel() !== 1) {
        throw new Error(
          `backward: grad can be implicitly created only for one-element outputs, got shape ${shapeToString(this.shape)}; pass an upstream gradient`,
        );
      }
      grad = ops.onesLike(this);
    } else if (grad.shape.join() !== this.shape.join()) {
      throw new Error(`backward: gradient shape ${shapeToString(grad.shape)} does not match the tensor's shape ${shapeToString(this.shape)}`);
    }
    runBackward(this, grad, opts);
  }
  /** Sets requiresGrad in place and returns this (PyTorch's requires_grad_). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) throw new Error('requiresGrad_: cannot turn off gradients of a non-leaf tensor; use detach()');
    if (flag && this.dtype !== 'float32') throw new Error(`requiresGrad_: only float32 tensors can require gradients, got ${this.dtype}`);
    this.requiresGrad = flag;
    return this;
  }
  /** Keeps `.grad` on this non-leaf tensor after backward. */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }
  /** A tensor sharing this data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.dtype);
  }
  /** Sets `.grad` to null. */
  zeroGrad(): void {
    this.grad = null;
  }

  // ---- in-place (for optimizers, running statistics and init; refuse to run inside a recorded graph) ----
  /** Overwrites this tensor's values with `src`'s (same shape); not recorded by autograd. */
  copy_(src: Tensor): this {
    if (isGradEnabled() && this.requiresGrad && this.isLeaf) {
      throw new Error('copy_: a leaf tensor that requires grad cannot be modified in place outside noGrad()');
    }
    if (src.shape.join() !== this.shape.join()) {
      throw new Error(`copy_: source shape ${shapeToString(src.shape)} does not match destination ${shapeToString(this.shape)}`);
    }
    const from = src.dtype === this.dtype ? src : src.to(this.dtype);
    const backend = activeBackend();
    if (backend.copy && from.storage.backend === backend) {
      // On the device (webgpu): no round trip through the host.
      this.storage.moveTo(backend);
      backend.copy(from.storage.handle, this.storage.handle, this.storage.size);
      this.storage.version++;
      return this;
    }
    const values = from.storage.read();
    this.storage.moveTo(backend);
    this.storage.backend.write(this.storage.handle, values);
    this.storage.version++;
    return this;
  }

  // ---- conversions ----
  /** Converts to another dtype (a copy; the same tensor when the dtype already matches). */
  to(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }
  float(): Tensor {
    return this.to('float32');
  }
  int(): Tensor {
    return this.to('int32');
  }
  clone(): Tensor {
    return ops.clone(this);
  }

  // ---- elementwise ----
  add(o: Tensor | number): Tensor {
    return ops.add(this, o);
  }
  sub(o: Tensor | number): Tensor {
    return ops.sub(this, o);
  }
  mul(o: Tensor | number): Tensor {
    return ops.mul(this, o);
  }
  div(o: Tensor | number): Tensor {
    return ops.div(this, o);
  }
  pow(o: Tensor | number): Tensor {
    return ops.pow(this, o);
  }
  maximum(o: Tensor | number): Tensor {
    return ops.maximum(this, o);
  }
  minimum(o: Tensor | number): Tensor {
    return ops.minimum(this, o);
  }
  eq(o: Tensor | number): Tensor {
    return ops.eq(this, o);
  }
  ne(o: Tensor | number): Tensor {
    return ops.ne(this, o);
  }
  lt(o: Tensor | number): Tensor {
    return ops.lt(this, o);
  }
  le(o: Tensor | number): Tensor {
    return ops.le(this, o);
  }
  gt(o: Tensor | number): Tensor {
    return ops.gt(this, o);
  }
  ge(o: Tensor | number): Tensor {
    return ops.ge(this, o);
  }
  neg(): Tensor {
    return ops.neg(this);
  }
  exp(): Tensor {
    return ops.exp(this);
  }
  log(): Tensor {
    return ops.log(this);
  }
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor {
    return ops.rsqrt(this);
  }
  abs(): Tensor {
    return ops.abs(this);
  }
  sign(): Tensor {
    return ops.sign(this);
  }
  square(): Tensor {
    return ops.square(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return ops.clamp(this, min, max);
  }
  relu(): Tensor {
    return ops.relu(this);
  }
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  tanh(): Tensor {
    return ops.tanh(this);
  }

  // ---- reductions ----
  sum(dim?: Dims, keepdim = false): Tensor {
    return ops.sum(this, dim, keepdim);
  }
  mean(dim?: Dims, keepdim = false): Tensor {
    return ops.mean(this, dim, keepdim);
  }
  var(dim?: Dims, opts?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
    return ops.variance(this, dim, opts);
  }
  std(dim?: Dims, opts?: { unbiased?: boolean; keepdim?: boolean }): Tensor {
    return ops.std(this, dim, opts);
  }
  /** Max over all elements, or `{ values, indices }` along `dim` (torch.max semantics). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? ops.amax(this) : ops.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? ops.amin(this) : ops.min(this, dim, keepdim);
  }
  amax(dim?: Dims, keepdim = false): Tensor {
    return ops.amax(this, dim, keepdim);
  }
  amin(dim?: Dims, keepdim = false): Tensor {
    return ops.amin(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return ops.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return ops.argmin(this, dim, keepdim);
  }
  logsumexp(dim: Dims, keepdim = false): Tensor {
    return ops.logsumexp(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return ops.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return ops.logSoftmax(this, dim);
  }

  // ---- shape ----
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return ops.reshape(this, flatShapeArgs(shape));
  }
  view(...shape: (number | readonly number[])[]): Tensor {
    return ops.reshape(this, flatShapeArgs(shape));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  permute(...dims: (number | readonly number[])[]): Tensor {
    return ops.permute(this, flatShapeArgs(dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return ops.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-D tensor. */
  t(): Tensor {
    return ops.transpose(this, 0, 1);
  }
  squeeze(dim?: Dims): Tensor {
    return ops.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return ops.unsqueeze(this, dim);
  }
  expand(...shape: (number | readonly number[])[]): Tensor {
    return ops.expand(this, flatShapeArgs(shape));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return ops.narrow(this, dim, start, length);
  }
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return ops.split(this, sizeOrSections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return ops.chunk(this, chunks, dim);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return ops.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return ops.gather(this, dim, index);
  }
  matmul(o: Tensor): Tensor {
    return ops.matmul(this, o);
  }
}

function flatShapeArgs(args: (number | readonly number[])[]): number[] {
  return args.length === 1 && typeof args[0] !== 'number' ? [...args[0]] : (args as number[]);
}
