/** Helpers shared by the op modules: scalar promotion and reducing a broadcast gradient back to a shape. */
import { kernel } from '../backend/registry.js';
import { shapesEqual } from '../backend/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { full } from '../tensor/creation.js';

/** Numbers become 0-d tensors: int32 next to an int32 tensor when integral, float32 otherwise. */
export function asTensor(x: Tensor | number, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new Error(`expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
  const dtype = like?.dtype === 'int32' && Number.isInteger(x) ? 'int32' : 'float32';
  return full([], x, { dtype });
}

export function assertTensor(x: unknown, op: string, name: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${name} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

/** Sums a gradient over broadcast dims so it has `shape` again (not recorded: used inside vjps). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  let out = dims.length ? Tensor.fromInfo(kernel('sum')(g.info(), dims)) : g;
  if (lead > 0 || !shapesEqual(out.shape, shape)) out = new Tensor(out.storage, shape, out.dtype);
  return out;
}
