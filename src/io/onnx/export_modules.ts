/**
 * Layers that ONNX has as one op (Conv, Gemm, BatchNormalization, LRN, LayerNormalization, InstanceNormalization,
 * Dropout) export themselves: their class's `exportOnnx` (nn/describe.ts) decides when the layer is entered —
 * returning an emitter, or null to trace through the layer's primitive ops instead — and emits when it returns.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { AnyModule } from '../../nn/module.js';
import type { OnnxLayerContext } from '../../nn/describe.js';
import type { ExportContext, Value } from './export_context.js';

export type Emitter = (out: Tensor) => Value;

/** The prototype in `m`'s chain that defines `key` itself. */
function owner(m: object, key: string): object | null {
  for (let p = Object.getPrototypeOf(m); p; p = Object.getPrototypeOf(p)) if (Object.prototype.hasOwnProperty.call(p, key)) return p;
  return null;
}

/**
 * The layer's own emitter for a call on `x`, or null to trace through its ops. A subclass that overrides forward
 * but inherits exportOnnx computes something else than the op it would export, so it is traced.
 */
export function moduleRule(ctx: ExportContext, m: AnyModule, x: unknown): Emitter | null {
  if (!m.exportOnnx || !(x && typeof x === 'object' && 'shape' in x)) return null;
  if (!isAncestor(owner(m, 'forward'), owner(m, 'exportOnnx'))) return null;
  const layerCtx: OnnxLayerContext = {
    path: ctx.path,
    value: (t) => ctx.value(t),
    op: (type, inputs, attrs, name) => ctx.g.op(type, [...inputs], attrs, name),
    constant: (values, dims, name) => ctx.g.constant(values, dims, 'float32', name),
    int64s: (values, name) => ctx.g.int64s(values, name),
    fail: (message) => ctx.fail(message),
  };
  return m.exportOnnx(layerCtx, x as Tensor);
}

/** True when `a` lies above `b` in a prototype chain (b inherits from a), or they are the same. */
function isAncestor(a: object | null, b: object | null): boolean {
  for (let p = b; p; p = Object.getPrototypeOf(p)) if (p === a) return true;
  return false;
}
