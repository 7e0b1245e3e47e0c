/**
 * Pooling on the GPU, one thread per output (forward) or per input element (average-pool gradients, which gather
 * from the windows covering them). Max-pool gradients scatter to the saved argmax positions with float atomics.
 */
import type { TensorInfo } from '../../backend.js';
import type { Pool2dInfo } from '../../geometry.js';
import { sizeOf } from '../../shape.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, FLOAT_HELPERS, groupsFor, PARAMS, perElement } from '../wgsl.js';
import { ATOMIC_ADD } from './atomics.js';

/** Words 1…: the pooling geometry, in this order. */
function geometry(p: Pool2dInfo): number[] {
  return [
    p.inH,
    p.inW,
    p.outH,
    p.outW,
    p.kH,
    p.kW,
    p.strideH,
    p.strideW,
    p.padH,
    p.padW,
    p.dilationH,
    p.dilationW,
    p.countIncludePad ? 1 : 0,
    p.divisorOverride ?? 0,
  ];
}
const GEOMETRY = `
fn H() -> i32 { return pi(1u); }
fn W() -> i32 { return pi(2u); }
fn OH() -> i32 { return pi(3u); }
fn OW() -> i32 { return pi(4u); }
fn KH() -> i32 { return pi(5u); }
fn KW() -> i32 { return pi(6u); }
fn SH() -> i32 { return pi(7u); }
fn SW() -> i32 { return pi(8u); }
fn PH() -> i32 { return pi(9u); }
fn PW() -> i32 { return pi(10u); }
fn DH() -> i32 { return pi(11u); }
fn DW() -> i32 { return pi(12u); }
// Average pooling's window of output (oh, ow) clipped to the input, and its divisor (PyTorch's rules).
fn avg_window(oh: i32, ow: i32) -> vec4i {
  let h0 = oh * SH() - PH();
  let w0 = ow * SW() - PW();
  let h1 = min(h0 + KH(), H() + PH());
  let w1 = min(w0 + KW(), W() + PW());
  return vec4i(max(h0, 0), min(h1, H()), max(w0, 0), min(w1, W()));
}
fn avg_divisor(oh: i32, ow: i32) -> f32 {
  if (pi(14u) > 0) { return f32(pi(14u)); }
  let h0 = oh * SH() - PH();
  let w0 = ow * SW() - PW();
  let h1 = min(h0 + KH(), H() + PH());
  let w1 = min(w0 + KW(), W() + PW());
  if (pi(13u) == 1) { return f32((h1 - h0) * (w1 - w0)); }
  let c = avg_window(oh, ow);
  return f32((c.y - c.x) * (c.w - c.z));
}
`;
/** Adaptive windows [floor(o·In/Out), ceil((o+1)·In/Out)). */
const ADAPTIVE = `
fn a_start(o: u32, outN: u32, inN: u32) -> u32 { return (o * inN) / outN; }
fn a_end(o: u32, outN: u32, inN: u32) -> u32 { return ((o + 1u) * inN + outN - 1u) / outN; }
`;

export function poolKernels(ctx: GpuContext) {
  const run = ctx.runner;

  function maxPool2d(x: TensorInfo, p: Pool2dInfo): { values: TensorInfo; indices: TensorInfo } {
    const shape = [p.batch, p.channels, p.outH, p.outW];
    const values = ctx.alloc(shape, 'float32');
    const indices = ctx.alloc(shape, 'int32');
    const n = sizeOf(shape);
    if (n === 0) return { values, indices };
    run.run({
      key: 'maxPool2d',
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'V', access: 'write' },
          { name: 'I', access: 'write', dtype: 'int32' },
        ]) +
        PARAMS +
        FLOAT_HELPERS +
        GEOMETRY +
        perElement(
          'pu(0u)',
          `  let ohw = u32(OH() * OW());
  let plane = i / ohw; let q = i % ohw;
  let h0 = i32(q / u32(OW())) * SH() - PH();
  let w0 = i32(q % u32(OW())) * SW() - PW();
  let base = plane * u32(H() * W());
  var best = 0.0;
  var bi = -1;
  for (var ki = 0; ki < KH(); ki++) {
    let ih = h0 + ki * DH();
    if (ih < 0 || ih >= H()) { continue; }
    var stop = false;
    for (var kj = 0; kj < KW(); kj++) {
      let iw = w0 + kj * DW();
      if (iw < 0 || iw >= W()) { continue; }
      let v = X[base + u32(ih * W() + iw)];
      if (bi < 0 || v > best || is_nan(v)) {
        best = v; bi = ih * W() + iw;
        if (is_nan(v)) { stop = true; break; }
      }
    }
    if (stop) { break; }
  }
  V[i] = best;
  I[i] = bi;`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(values), access: 'write' },
        { slot: slot(indices), access: 'write' },
      ],
      params: new Params()
        .u(n)
        .i(...geometry(p))
        .done(),
      groups: groupsFor(n),
    });
    return { values, indices };
  }

  function maxPool2dBackward(dy: TensorInfo, indices: TensorInfo, inputShape: readonly number[]): TensorInfo {
    const out = ctx.zeros(inputShape, 'float32');
    const n = sizeOf(dy.shape);
    if (n === 0 || sizeOf(inputShape) === 0) return out;
    run.run({
      key: 'maxPool2dBackward',
      code: () =>
        declare([
          { name: 'D', access: 'read' },
          { name: 'I', access: 'read', dtype: 'int32' },
          { name: 'O', access: 'atomic' },
        ]) +
        PARAMS +
        ATOMIC_ADD +
        perElement('pu(0u)', `  let k = I[i];\n  if (k < 0) { return; }\n  atomic_add_f32(&O[(i / pu(1u)) * pu(2u) + u32(k)], D[i]);`),
      buffers: [
        { slot: slot(dy), access: 'read' },
        { slot: slot(indices), access: 'read' },
        { slot: slot(out), access: 'atomic' },
      ],
      params: new Params().u(n, dy.shape[2] * dy.shape[3], inputShape[2] * inputShape[3]).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function avgPool2d(x: TensorInfo, p: Pool2dInfo): TensorInfo {
    const shape = [p.batch, p.channels, p.outH, p.outW];
    const out = ctx.alloc(shape, 'float32');
    const n = sizeOf(shape);
    if (n === 0) return out;
    run.run({
      key: 'avgPool2d',
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'O', access: 'write' },
        ]) +
        PARAMS +
        GEOMETRY +
        perElement(
          'pu(0u)',
          `  let ohw = u32(OH() * OW());
  let plane = i / ohw; let q = i % ohw;
  let oh = i32(q / u32(OW())); let ow = i32(q % u32(OW()));
  let c = avg_window(oh, ow);
  let base = plane * u32(H() * W());
  var s = 0.0;
  for (var ih = c.x; ih < c.y; ih++) { for (var iw = c.z; iw < c.w; iw++) { s += X[base + u32(ih * W() + iw)]; } }
  O[i] = select(s / avg_divisor(oh, ow), 0.0, c.x >= c.y || c.z >= c.w);`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params()
        .u(n)
        .i(...geometry(p))
        .done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function avgPool2dBackward(dy: TensorInfo, p: Pool2dInfo): TensorInfo {
    const shape = [p.batch, p.channels, p.inH, p.inW];
    const out = ctx.alloc(shape, 'float32');
    const n = sizeOf(shape);
    if (n === 0) return out;
    run.run({
      key: 'avgPool2dBackward',
      code: () =>
        declare([
          { name: 'D', access: 'read' },
          { name: 'O', access: 'write' },
        ]) +
        PARAMS +
        GEOMETRY +
        perElement(
          'pu(0u)',
          `  let hw = u32(H() * W());
  let plane = i / hw; let q = i % hw;
  let ih = i32(q / u32(W())); let iw = i32(q % u32(W()));
  // Outputs whose window [o·s − p, o·s − p + k) can contain the element.
  let ohLo = max(0, (ih + PH() - KH() + SH()) / SH());
  let ohHi = min(OH() - 1, (ih + PH()) / SH());
  let owLo = max(0, (iw + PW() - KW() + SW()) / SW());
  let owHi = min(OW() - 1, (iw + PW()) / SW());
  var s = 0.0;
  let base = plane * u32(OH() * OW());
  for (var oh = ohLo; oh <= ohHi; oh++) {
    for (var ow = owLo; ow <= owHi; ow++) {
      let c = avg_window(oh, ow);
      if (ih >= c.x && ih < c.y && iw >= c.z && iw < c.w) { s += D[base + u32(oh * OW() + ow)] / avg_divisor(oh, ow); }
    }
  }
  O[i] = s;`,
        ),
      buffers: [
        { slot: slot(dy), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params()
        .u(n)
        .i(...geometry(p))
        .done(),
      groups: groupsFor(n),
    });
    return out;
  }

  function adaptive(kind: 'avg' | 'max', x: TensorInfo, outH: number, outW: number): { values: TensorInfo; indices: TensorInfo | null } {
    const [batch, channels, inH, inW] = x.shape;
    const shape = [batch, channels, outH, outW];
    const values = ctx.alloc(shape, 'float32');
    const indices = kind === 'max' ? ctx.alloc(shape, 'int32') : null;
    const n = sizeOf(shape);
    if (n === 0) return { values, indices };
    const body =
      kind === 'avg'
        ? `  var s = 0.0;
  for (var ih = h0; ih < h1; ih++) { for (var iw = w0; iw < w1; iw++) { s += X[base + ih * inW + iw]; } }
  V[i] = s / f32((h1 - h0) * (w1 - w0));`
        : `  var best = 0.0; var bi = -1;
  for (var ih = h0; ih < h1; ih++) {
    for (var iw = w0; iw < w1; iw++) {
      let v = X[base + ih * inW + iw];
      if (bi < 0 || v > best || (is_nan(v) && !is_nan(best))) { best = v; bi = i32(ih * inW + iw); }
    }
  }
  V[i] = best; I[i] = bi;`;
    run.run({
      key: `adaptive:${kind}`,
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'V', access: 'write' },
          ...(kind === 'max' ? [{ name: 'I', access: 'write' as const, dtype: 'int32' as const }] : []),
        ]) +
        PARAMS +
        FLOAT_HELPERS +
        ADAPTIVE +
        perElement(
          'pu(0u)',
          `  let inH = pu(1u); let inW = pu(2u); let oH = pu(3u); let oW = pu(4u);
  let plane = i / (oH * oW); let q = i % (oH * oW);
  let oh = q / oW; let ow = q % oW;
  let h0 = a_start(oh, oH, inH); let h1 = a_end(oh, oH, inH);
  let w0 = a_start(ow, oW, inW); let w1 = a_end(ow, oW, inW);
  let base = plane * inH * inW;
${body}`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(values), access: 'write' },
        ...(indices ? [{ slot: slot(indices), access: 'write' as const }] : []),
      ],
      params: new Params().u(n, inH, inW, outH, outW).done(),
      groups: groupsFor(n),
    });
    return { values, indices };
  }

  function adaptiveAvgPool2dBackward(dy: TensorInfo, inputShape: readonly number[]): TensorInfo {
    const out = ctx.alloc(inputShape, 'float32');
    const n = sizeOf(inputShape);
    if (n === 0) return out;
    const [, , inH, inW] = inputShape;
    const [, , outH, outW] = dy.shape;
    run.run({
      key: 'adaptiveAvgPool2dBackward',
      code: () =>
        declare([
          { name: 'D', access: 'read' },
          { name: 'O', access: 'write' },
        ]) +
        PARAMS +
        ADAPTIVE +
        perElement(
          'pu(0u)',
          `  let inH = pu(1u); let inW = pu(2u); let oH = pu(3u); let oW = pu(4u);
  let plane = i / (inH * inW); let q = i % (inH * inW);
  let ih = q / inW; let iw = q % inW;
  var s = 0.0;
  for (var oh = 0u; oh < oH; oh++) {
    let h0 = a_start(oh, oH, inH); let h1 = a_end(oh, oH, inH);
    if (ih < h0 || ih >= h1) { continue; }
    for (var ow = 0u; ow < oW; ow++) {
      let w0 = a_start(ow, oW, inW); let w1 = a_end(ow, oW, inW);
      if (iw >= w0 && iw < w1) { s += D[(plane * oH + oh) * oW + ow] / f32((h1 - h0) * (w1 - w0)); }
    }
  }
  O[i] = s;`,
        ),
      buffers: [
        { slot: slot(dy), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      params: new Params().u(n, inH, inW, outH, outW).done(),
      groups: groupsFor(n),
    });
    return out;
  }

  return {
    maxPool2d,
    maxPool2dBackward,
    avgPool2d,
    avgPool2dBackward,
    adaptiveAvgPool2d: (x: TensorInfo, outH: number, outW: number) => adaptive('avg', x, outH, outW).values,
    adaptiveAvgPool2dBackward,
    adaptiveMaxPool2d: (x: TensorInfo, outH: number, outW: number) => {
      const r = adaptive('max', x, outH, outW);
      return { values: r.values, indices: r.indices! };
    },
  };
}
