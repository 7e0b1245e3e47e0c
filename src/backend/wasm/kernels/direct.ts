/**
 * Direct convolutions for thin stride-1 layers (assembly/direct.ts): forward, input gradient (the forward of dy with
 * the flipped weights) and weight gradient, without a column matrix.
 */
import type { Conv2dInfo } from '../../geometry.js';
import type { WasmContext } from '../context.js';
import { geometry, isPlainStride1 } from './shared.js';

/** Stride 1, dilation 1, one group, padding within the kernel (so the input gradient's padding is too). */
export function directApplies(c: Conv2dInfo): boolean {
  return isPlainStride1(c) && c.padTop <= c.kH - 1 && c.padLeft <= c.kW - 1;
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** y = conv(x, w) + bias on raw pointers; with `flip`, w is the forward weights of the conv whose input gradient this is. */
export function directConv(ctx: WasmContext, x: number, w: number, bias: number, y: number, c: Conv2dInfo, flip: boolean): void {
  const rowW = roundUp(c.outW, 8) + c.kW + 4;
  const weights = c.inChannels * c.kH * c.kW * 4;
  const stride = roundUp(4 * (weights + c.inChannels * c.kH * rowW + 4 * roundUp(c.outW, 8)), 64);
  const scratch = ctx.temp(stride * ctx.threads);
  const parts = c.batch * Math.ceil(c.outChannels / 4);
  ctx.task('directConv', { ...geometry(c), x, w, bias, y, flip, rowW, scratch: scratch.ptr, scratchStride: stride }, parts);
  scratch.done();
}

/** dW by direct correlation, one part per output channel. */
export function directConvWeight(ctx: WasmContext, x: number, dy: number, dw: number, c: Conv2dInfo): void {
  const padW = roundUp(c.outW + c.kW - 1, 4) + 4;
  const padH = c.outH + c.kH - 1;
  const stride = roundUp(8 * c.inChannels * c.kH * c.kW + 4 * c.inChannels * padH * padW, 64);
  const scratch = ctx.temp(stride * ctx.threads);
  ctx.task('directConvWeight', { ...geometry(c), x, dy, dw, padW, scratch: scratch.ptr, scratchStride: stride }, c.outChannels);
  scratch.done();
}
