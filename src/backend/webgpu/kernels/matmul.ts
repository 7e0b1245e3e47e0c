/** Batched matmul [B,M,K]×[B,K,N] on the tiled GEMM; transposed operands are read through their strides. */
import type { TensorInfo } from '../../backend.js';
import { slot, type GpuContext } from '../context.js';
import { runGemm } from './gemm.js';

export function matmulKernels(ctx: GpuContext) {
  function matmul(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean): TensorInfo {
    const [batch, aR, aC] = a.shape;
    const [, bR, bC] = b.shape;
    const M = transA ? aC : aR;
    const K = transA ? aR : aC;
    const N = transB ? bR : bC;
    const out = ctx.alloc([batch, M, N], 'float32');
    if (batch * M * N === 0) return out;
    if (K === 0) return ctx.zeros([batch, M, N], 'float32');
    runGemm(ctx, {
      key: `matmul:${transA}:${transB}:${a.dtype}:${b.dtype}`,
      decls: [
        { name: 'A', access: 'read', dtype: a.dtype },
        { name: 'B', access: 'read', dtype: b.dtype },
        { name: 'C', access: 'write' },
      ],
      parts: {
        // words 5, 6: the row lengths of A and B as stored
        loadA: `fn loadA(z: u32, m: u32, k: u32) -> f32 { let w = pu(5u); return f32(A[z * pu(0u) * pu(2u) + ${transA ? 'k * w + m' : 'm * w + k'}]); }`,
        loadB: `fn loadB(z: u32, k: u32, n: u32) -> f32 { let w = pu(6u); return f32(B[z * pu(2u) * pu(1u) + ${transB ? 'n * w + k' : 'k * w + n'}]); }`,
        store: 'fn store(z: u32, m: u32, n: u32, v: f32) { C[(z * pu(0u) + m) * pu(1u) + n] = v; }',
      },
      buffers: [
        { slot: slot(a), access: 'read' },
        { slot: slot(b), access: 'read' },
        { slot: slot(out), access: 'write' },
      ],
      M,
      N,
      K,
      batches: batch,
      params: [aC, bC],
    });
    return out;
  }
  return { matmul };
}
