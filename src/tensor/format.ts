/** PyTorch-like printing: tensor([[...]], requiresGrad=true), eliding the middle of large dims. */
import type { Tensor } from './tensor.js';
import { sizeOf } from '../backend/shape.js';

const EDGE = 3;
const THRESHOLD = 1000;

function fmt(v: number, isInt: boolean): string {
  if (isInt) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-4)) return v.toExponential(4);
  return v.toFixed(4);
}

export function formatTensor(t: Tensor): string {
  const data = t.storage.read();
  const isInt = t.dtype === 'int32';
  const summarize = t.numel() > THRESHOLD;
  const strs: string[] = [];
  const shape = t.shape;
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === shape.length) return fmt(data[offset], isInt);
    const n = shape[dim];
    const step = sizeOf(shape.slice(dim + 1));
    const idx: (number | null)[] =
      summarize && n > 2 * EDGE
        ? [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
        : Array.from({ length: n }, (_, i) => i);
    const parts = idx.map((i) => (i === null ? '...' : render(dim + 1, offset + i * step, indent + ' ')));
    const sep = dim === shape.length - 1 ? ', ' : ',\n' + '\n'.repeat(Math.max(0, shape.length - dim - 2)) + indent + ' ';
    return '[' + parts.join(sep) + ']';
  };
  strs.push(render(0, 0, '       '));
  const extras: string[] = [];
  if (isInt) extras.push('dtype=int32');
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${strs[0]}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
