/**
 * Convolution as implicit GEMM on the tiled GEMM shader, one GEMM per group (workgroup z):
 *   forward:      out[co, (b,oh,ow)]  = Σ_(ci,kh,kw) w[co, (ci,kh,kw)] · x[(ci,kh,kw), (b,oh,ow)]
 *   input grad:   dx[ci, (b,ih,iw)]   = Σ_(co,kh,kw) w[co, ci, kh, kw] · dy[b, co, (ih+pad−kh·d)/s, …]
 *   weight grad:  dw[co, (ci,kh,kw)]  = Σ_(b,oh,ow) dy[co, (b,oh,ow)] · x[(b,oh,ow), (ci,kh,kw)]
 * The unfolded matrices are never built: the loaders compute each element's source and read 0 in the padding.
 */
import type { TensorInfo } from '../../backend.js';
import type { Conv2dInfo } from '../../geometry.js';
import { slot, type GpuContext } from '../context.js';
import { runGemm } from './gemm.js';

/** Geometry words (from word 5, after the GEMM's): the same order in every conv shader. */
function geometry(c: Conv2dInfo): number[] {
  const cinG = c.inChannels / c.groups;
  const coutG = c.outChannels / c.groups;
  return [
    c.inChannels,
    c.inH,
    c.inW,
    c.outChannels,
    c.outH,
    c.outW,
    c.kH,
    c.kW,
    c.strideH,
    c.strideW,
    c.padTop,
    c.padLeft,
    c.dilationH,
    c.dilationW,
    cinG,
    coutG,
  ];
}

/** WGSL names for the geometry words. */
const GEOMETRY = `
fn CIN() -> u32 { return pu(5u); }
fn H() -> u32 { return pu(6u); }
fn W() -> u32 { return pu(7u); }
fn COUT() -> u32 { return pu(8u); }
fn OH() -> u32 { return pu(9u); }
fn OW() -> u32 { return pu(10u); }
fn KH() -> u32 { return pu(11u); }
fn KW() -> u32 { return pu(12u); }
fn SH() -> i32 { return pi(13u); }
fn SW() -> i32 { return pi(14u); }
fn PT() -> i32 { return pi(15u); }
fn PL() -> i32 { return pi(16u); }
fn DH() -> i32 { return pi(17u); }
fn DW() -> i32 { return pi(18u); }
fn CING() -> u32 { return pu(19u); }
fn COUTG() -> u32 { return pu(20u); }
`;

export function convKernels(ctx: GpuContext) {
  function conv2d(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, c: Conv2dInfo): TensorInfo {
    const out = ctx.alloc([c.batch, c.outChannels, c.outH, c.outW], 'float32');
    const coutG = c.outChannels / c.groups;
    const M = coutG;
    const N = c.batch * c.outH * c.outW;
    const K = (c.inChannels / c.groups) * c.kH * c.kW;
    if (M * N === 0) return out;
    const hasBias = bias !== null;
    runGemm(ctx, {
      key: `conv2d:${hasBias}`,
      decls: [
        { name: 'X', access: 'read' },
        { name: 'Wt', access: 'read' },
        ...(hasBias ? [{ name: 'Bias', access: 'read' as const }] : []),
        { name: 'O', access: 'write' },
      ],
      parts: {
        loadA: GEOMETRY + 'fn loadA(g: u32, m: u32, k: u32) -> f32 { return Wt[(g * COUTG() + m) * pu(2u) + k]; }',
        loadB: `fn loadB(g: u32, k: u32, n: u32) -> f32 {
  let kk = KH() * KW();
  let ci = k / kk; let r = k % kk;
  let kh = i32(r / KW()); let kw = i32(r % KW());
  let ohw = OH() * OW();
  let b = n / ohw; let p = n % ohw;
  let oh = i32(p / OW()); let ow = i32(p % OW());
  let ih = oh * SH() - PT() + kh * DH();
  let iw = ow * SW() - PL() + kw * DW();
  if (ih < 0 || iw < 0 || ih >= i32(H()) || iw >= i32(W())) { return 0.0; }
  return X[((b * CIN() + g * CING() + ci) * H() + u32(ih)) * W() + u32(iw)];
}`,
        store: `fn store(g: u32, m: u32, n: u32, v: f32) {
  let ohw = OH() * OW();
  let co = g * COUTG() + m;
  O[((n / ohw) * COUT() + co) * ohw + n % ohw] = v${hasBias ? ' + Bias[co]' : ''};
}`,
      },
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(w), access: 'read' },
        ...(bias ? [{ slot: slot(bias), access: 'read' as const }] : []),
        { slot: slot(out), access: 'write' },
      ],
      M,
      N,
      K,
      batches: c.groups,
      params: geometry(c),
    });
    return out;
  }

  function conv2dBackwardInput(dy: TensorInfo, w: TensorInfo, c: Conv2dInfo): TensorInfo {
    const out = ctx.alloc([c.batch, c.inChannels, c.inH, c.inW], 'float32');
    const M = c.inChannels / c.groups;
    const N = c.batch * c.inH * c.inW;
    const K = (c.outChannels / c.groups) * c.kH * c.kW;
    if (M * N === 0) return out;
    if (K === 0) return ctx.zeros(out.shape, 'float32');
    runGemm(ctx, {
      key: 'conv2dBackwardInput',
      decls: [
        { name: 'D', access: 'read' },
        { name: 'Wt', access: 'read' },
        { name: 'O', access: 'write' },
      ],
      parts: {
        loadA:
          GEOMETRY +
          `fn loadA(g: u32, m: u32, k: u32) -> f32 {
  let kk = KH() * KW();
  let co = k / kk;
  return Wt[((g * COUTG() + co) * CING() + m) * kk + k % kk];
}`,
        loadB: `fn loadB(g: u32, k: u32, n: u32) -> f32 {
  let kk = KH() * KW();
  let co = k / kk; let r = k % kk;
  let kh = i32(r / KW()); let kw = i32(r % KW());
  let hw = H() * W();
  let b = n / hw; let p = n % hw;
  let th = i32(p / W()) + PT() - kh * DH();
  let tw = i32(p % W()) + PL() - kw * DW();
  if (th < 0 || tw < 0 || th % SH() != 0 || tw % SW() != 0) { return 0.0; }
  let oh = u32(th / SH()); let ow = u32(tw / SW());
  if (oh >= OH() || ow >= OW()) { return 0.0; }
  return D[((b * COUT() + g * COUTG() + co) * OH() + oh) * OW() + ow];
}`,
        store: `fn store(g: u32, m: u32, n: u32, v: f32) {
  let hw = H() * W();
  O[((n / hw) * CIN() + g * CING() + m) * hw + n % hw] = v;
}`,
      },
      buffers: [
        { slot: slot(dy), access: 'read' },
        { slot: slot(w), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      M,
      N,
      K,
      batches: c.groups,
      params: geometry(c),
    });
    return out;
  }

  function conv2dBackwardWeight(x: TensorInfo, dy: TensorInfo, c: Conv2dInfo): TensorInfo {
    const cinG = c.inChannels / c.groups;
    const out = ctx.alloc([c.outChannels, cinG, c.kH, c.kW], 'float32');
    const M = c.outChannels / c.groups;
    const N = cinG * c.kH * c.kW;
    const K = c.batch * c.outH * c.outW;
    if (M * N === 0) return out;
    if (K === 0) return ctx.zeros(out.shape, 'float32');
    runGemm(ctx, {
      key: 'conv2dBackwardWeight',
      decls: [
        { name: 'X', access: 'read' },
        { name: 'D', access: 'read' },
        { name: 'O', access: 'write' },
      ],
      parts: {
        loadA:
          GEOMETRY +
          `fn loadA(g: u32, m: u32, k: u32) -> f32 {
  let ohw = OH() * OW();
  return D[((k / ohw) * COUT() + g * COUTG() + m) * ohw + k % ohw];
}`,
        loadB: `fn loadB(g: u32, k: u32, n: u32) -> f32 {
  let ohw = OH() * OW();
  let b = k / ohw; let p = k % ohw;
  let kk = KH() * KW();
  let ci = n / kk; let r = n % kk;
  let ih = i32(p / OW()) * SH() - PT() + i32(r / KW()) * DH();
  let iw = i32(p % OW()) * SW() - PL() + i32(r % KW()) * DW();
  if (ih < 0 || iw < 0 || ih >= i32(H()) || iw >= i32(W())) { return 0.0; }
  return X[((b * CIN() + g * CING() + ci) * H() + u32(ih)) * W() + u32(iw)];
}`,
        store: 'fn store(g: u32, m: u32, n: u32, v: f32) { O[(g * COUTG() + m) * pu(1u) + n] = v; }',
      },
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(dy), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      M,
      N,
      K,
      batches: c.groups,
      params: geometry(c),
    });
    return out;
  }

  return { conv2d, conv2dBackwardInput, conv2dBackwardWeight };
}
