/**
 * Reductions on the GPU. sum: one workgroup per output element with a fixed-order tree in shared memory (results do
 * not depend on timing), or one thread per output where each sums at most 64 values. argReduce: one thread per output.
 */
import type { TensorInfo } from '../../backend.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, groupsFor, PARAMS, perElement, FLOAT_HELPERS, wgslType } from '../wgsl.js';

/** Adjacent dims of the same kind (kept/reduced) merged: contiguous input makes their strides compose. */
function split(shape: readonly number[], dims: readonly number[]) {
  const strides = stridesOf(shape);
  const kept: { n: number; s: number }[] = [];
  const red: { n: number; s: number }[] = [];
  let last: 'k' | 'r' | null = null;
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const kind = dims.includes(d) ? 'r' : 'k';
    const list = kind === 'r' ? red : kept;
    if (last === kind) {
      const prev = list[list.length - 1];
      prev.n *= shape[d];
      prev.s = strides[d];
    } else list.push({ n: shape[d], s: strides[d] });
    last = kind;
  }
  return { kept, red };
}

/** WGSL: offset `name` of linear index `idx` over the dims whose sizes start at word `at` (strides after them). */
function offsetOf(name: string, idx: string, rank: number, at: string): string {
  if (rank === 0) return `var ${name} = 0u;`;
  return `var ${name} = 0u;
  {
    var rem = ${idx};
    for (var d = ${rank - 1}; d >= 0; d--) {
      let s = pu(${at} + u32(d));
      ${name} += (rem % s) * pu(${at} + ${rank}u + u32(d));
      rem = rem / s;
    }
  }`;
}

export function reduceKernels(ctx: GpuContext) {
  const run = ctx.runner;

  function sum(x: TensorInfo, dims: readonly number[]): TensorInfo {
    const outShape = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
    const out = ctx.alloc(outShape, x.dtype);
    const M = sizeOf(outShape);
    if (M === 0) return out;
    const R = sizeOf(x.shape) / M;
    if (R === 0 || sizeOf(x.shape) === 0) return ctx.zeros(outShape, x.dtype);
    const { kept, red } = split(x.shape, dims);
    const T = wgslType(x.dtype);
    // words: M, R, kept sizes, kept strides, reduced sizes, reduced strides
    const params = new Params()
      .u(M, R)
      .u(...kept.map((k) => k.n), ...kept.map((k) => k.s))
      .u(...red.map((k) => k.n), ...red.map((k) => k.s))
      .done();
    const kAt = '2u';
    const rAt = `${2 + 2 * kept.length}u`;
    const buffers = [
      { slot: slot(x), access: 'read' as const },
      { slot: slot(out), access: 'write' as const },
    ];
    const decl = declare([
      { name: 'X', access: 'read', dtype: x.dtype },
      { name: 'O', access: 'write', dtype: x.dtype },
    ]);
    if (R <= 64) {
      run.run({
        key: `sum:thread:${x.dtype}:${kept.length}:${red.length}`,
        code: () =>
          decl +
          PARAMS +
          perElement(
            'pu(0u)',
            `  ${offsetOf('base', 'i', kept.length, kAt)}
  var acc = ${T}(0);
  for (var j = 0u; j < pu(1u); j++) {
    ${offsetOf('off', 'j', red.length, rAt)}
    acc += X[base + off];
  }
  O[i] = acc;`,
          ),
        buffers,
        params,
        groups: groupsFor(M),
      });
      return out;
    }
    const [gx, gy] = M <= 65535 ? [M, 1] : [65535, Math.ceil(M / 65535)];
    run.run({
      key: `sum:group:${x.dtype}:${kept.length}:${red.length}`,
      code: () =>
        decl +
        PARAMS +
        `
var<workgroup> part: array<${T}, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = wid.y * nwg.x + wid.x;
  let inRange = i < pu(0u);
  ${offsetOf('base', 'i', kept.length, kAt)}
  var acc = ${T}(0);
  if (inRange) {
    for (var j = lid; j < pu(1u); j += 256u) {
      ${offsetOf('off', 'j', red.length, rAt)}
      acc += X[base + off];
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u && inRange) { O[i] = part[0]; }
}`,
      buffers,
      params,
      groups: [gx, gy, 1],
    });
    return out;
  }

  function argReduce(x: TensorInfo, dim: number, mode: 'max' | 'min'): { values: TensorInfo; indices: TensorInfo } {
    const shape = x.shape;
    const outer = sizeOf(shape.slice(0, dim));
    const n = shape[dim];
    const inner = sizeOf(shape.slice(dim + 1));
    const outShape = shape.map((d, i) => (i === dim ? 1 : d));
    const values = ctx.alloc(outShape, x.dtype);
    const indices = ctx.alloc(outShape, 'int32');
    const M = outer * inner;
    if (M === 0) return { values, indices };
    const T = wgslType(x.dtype);
    const better = mode === 'max' ? 'v > best' : 'v < best';
    const nanCheck = x.dtype === 'int32' ? 'false' : 'is_nan(v)';
    run.run({
      key: `argReduce:${mode}:${x.dtype}`,
      code: () =>
        declare([
          { name: 'X', access: 'read', dtype: x.dtype },
          { name: 'V', access: 'write', dtype: x.dtype },
          { name: 'I', access: 'write', dtype: 'int32' },
        ]) +
        PARAMS +
        FLOAT_HELPERS +
        perElement(
          'pu(0u)',
          `  let n = pu(1u); let inner = pu(2u);
  let base = (i / inner) * n * inner + i % inner;
  var best: ${T} = X[base];
  var bi = 0u;
  // NaN wins and sticks, as torch.max propagates NaN.
  if (!(${nanCheck.replace('v', 'best')})) {
    for (var k = 1u; k < n; k++) {
      let v = X[base + k * inner];
      if (${nanCheck}) { best = v; bi = k; break; }
      if (${better}) { best = v; bi = k; }
    }
  }
  V[i] = best;
  I[i] = i32(bi);`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(values), access: 'write' },
        { slot: slot(indices), access: 'write' },
      ],
      params: new Params().u(M, n, inner).done(),
      groups: groupsFor(M),
    });
    return { values, indices };
  }

  return { sum, argReduce };
}
