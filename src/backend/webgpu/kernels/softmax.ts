/** softmax / log_softmax along one dim and their gradients: one thread per row (outer × inner rows of n values). */
import type { TensorInfo } from '../../backend.js';
import { sizeOf } from '../../shape.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, FLOAT_HELPERS, groupsFor, PARAMS, perElement } from '../wgsl.js';

const ROW = `  let n = pu(1u); let inner = pu(2u);
  let base = (i / inner) * n * inner + i % inner;`;

export function softmaxKernels(ctx: GpuContext) {
  const run = ctx.runner;

  function layout(shape: readonly number[], dim: number) {
    return { rows: sizeOf(shape.slice(0, dim)) * sizeOf(shape.slice(dim + 1)), n: shape[dim], inner: sizeOf(shape.slice(dim + 1)) };
  }

  function forward(log: boolean) {
    return (x: TensorInfo, dim: number): TensorInfo => {
      const out = ctx.alloc(x.shape, 'float32');
      const { rows, n, inner } = layout(x.shape, dim);
      if (rows * n === 0) return out;
      run.run({
        key: `softmax:${log}`,
        code: () =>
          declare([
            { name: 'X', access: 'read' },
            { name: 'O', access: 'write' },
          ]) +
          PARAMS +
          FLOAT_HELPERS +
          perElement(
            'pu(0u)',
            `${ROW}
  var m = -inf_f32();
  for (var k = 0u; k < n; k++) { m = max(m, X[base + k * inner]); }
  if (m == -inf_f32()) { m = 0.0; }
  var s = 0.0;
  for (var k = 0u; k < n; k++) { s += exp(X[base + k * inner] - m); }
  ${
    log
      ? 'let lse = m + log(s);\n  for (var k = 0u; k < n; k++) { O[base + k * inner] = X[base + k * inner] - lse; }'
      : 'for (var k = 0u; k < n; k++) { O[base + k * inner] = exp(X[base + k * inner] - m) / s; }'
  }`,
          ),
        buffers: [
          { slot: slot(x), access: 'read' },
          { slot: slot(out), access: 'write' },
        ],
        params: new Params().u(rows, n, inner).done(),
        groups: groupsFor(rows),
      });
      return out;
    };
  }

  function backward(log: boolean) {
    return (y: TensorInfo, dy: TensorInfo, dim: number): TensorInfo => {
      const out = ctx.alloc(y.shape, 'float32');
      const { rows, n, inner } = layout(y.shape, dim);
      if (rows * n === 0) return out;
      run.run({
        key: `softmaxBackward:${log}`,
        code: () =>
          declare([
            { name: 'Y', access: 'read' },
            { name: 'D', access: 'read' },
            { name: 'O', access: 'write' },
          ]) +
          PARAMS +
          perElement(
            'pu(0u)',
            `${ROW}
  var s = 0.0;
  ${
    log
      ? `for (var k = 0u; k < n; k++) { s += D[base + k * inner]; }
  for (var k = 0u; k < n; k++) { let j = base + k * inner; O[j] = D[j] - exp(Y[j]) * s; }`
      : `for (var k = 0u; k < n; k++) { let j = base + k * inner; s += D[j] * Y[j]; }
  for (var k = 0u; k < n; k++) { let j = base + k * inner; O[j] = Y[j] * (D[j] - s); }`
  }`,
          ),
        buffers: [
          { slot: slot(y), access: 'read' },
          { slot: slot(dy), access: 'read' },
          { slot: slot(out), access: 'write' },
        ],
        params: new Params().u(rows, n, inner).done(),
        groups: groupsFor(rows),
      });
      return out;
    };
  }

  return { softmax: forward(false), logSoftmax: forward(true), softmaxBackward: backward(false), logSoftmaxBackward: backward(true) };
}
