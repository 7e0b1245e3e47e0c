/**
 * Training-mode batch normalization on the GPU: a workgroup per channel reduces its N·S values (mean, then the
 * squared deviations, each a fixed-order tree), then one thread per element normalizes. The backward reduces Σdy and
 * Σdy·(x − mean) per channel the same way, then forms dx element by element. Layout [N, C, S].
 */
import type { TensorInfo } from '../../backend.js';
import { sizeOf } from '../../shape.js';
import { slot, type GpuContext } from '../context.js';
import { Params } from '../runner.js';
import { declare, groupsFor, PARAMS, perElement } from '../wgsl.js';

/** A workgroup per channel c; `each(j)` is the j-th of its N·S elements' flat index. */
const PER_CHANNEL = (body: string) => `
var<workgroup> part: array<f32, 256>;
var<workgroup> part2: array<f32, 256>;
fn tree(lid: u32) {
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] += part[lid + s]; part2[lid] += part2[lid + s]; }
    workgroupBarrier();
  }
}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let N = pu(0u); let C = pu(1u); let S = pu(2u);
  let c = wid.x;
  let count = N * S;
${body}
}`;
const INDEX = 'let idx = ((j / S) * C + c) * S + j % S;';

export function normKernels(ctx: GpuContext) {
  const run = ctx.runner;

  function layout(shape: readonly number[]): [number, number, number] {
    return [shape[0], shape[1], sizeOf(shape.slice(2))];
  }

  function batchNormTrain(x: TensorInfo, weight: TensorInfo | null, bias: TensorInfo | null, eps: number) {
    const [N, C, S] = layout(x.shape);
    const y = ctx.alloc(x.shape, 'float32');
    const mean = ctx.alloc([C], 'float32');
    const variance = ctx.alloc([C], 'float32');
    if (C === 0) return { y, mean, var: variance };
    const params = new Params().u(N, C, S).f(eps).done();
    run.run({
      key: 'batchNormStats',
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'Mean', access: 'write' },
          { name: 'Var', access: 'write' },
        ]) +
        PARAMS +
        PER_CHANNEL(`  var s = 0.0;
  for (var j = lid; j < count; j += 256u) { ${INDEX} s += X[idx]; }
  part[lid] = s; part2[lid] = 0.0;
  workgroupBarrier();
  tree(lid);
  let m = part[0] / f32(count);
  workgroupBarrier();
  var q = 0.0;
  for (var j = lid; j < count; j += 256u) { ${INDEX} let d = X[idx] - m; q += d * d; }
  part[lid] = q; part2[lid] = 0.0;
  workgroupBarrier();
  tree(lid);
  if (lid == 0u) { Mean[c] = m; Var[c] = part[0] / f32(count); }`),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(mean), access: 'write' },
        { slot: slot(variance), access: 'write' },
      ],
      params,
      groups: [C, 1, 1],
    });
    const n = sizeOf(x.shape);
    if (n === 0) return { y, mean, var: variance };
    const affine = `${weight ? 'w' : ''}${bias ? 'b' : ''}`;
    run.run({
      key: `batchNormApply:${affine}`,
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'Mean', access: 'read' },
          { name: 'Var', access: 'read' },
          ...(weight ? [{ name: 'Wt', access: 'read' as const }] : []),
          ...(bias ? [{ name: 'Bs', access: 'read' as const }] : []),
          { name: 'Y', access: 'write' },
        ]) +
        PARAMS +
        perElement(
          'pu(0u) * pu(1u) * pu(2u)',
          `  let c = (i / pu(2u)) % pu(1u);
  let invStd = 1.0 / sqrt(Var[c] + pf(3u));
  let scale = ${weight ? 'Wt[c] * invStd' : 'invStd'};
  let shift = ${bias ? 'Bs[c]' : '0.0'} - Mean[c] * scale;
  Y[i] = X[i] * scale + shift;`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(mean), access: 'read' },
        { slot: slot(variance), access: 'read' },
        ...(weight ? [{ slot: slot(weight), access: 'read' as const }] : []),
        ...(bias ? [{ slot: slot(bias), access: 'read' as const }] : []),
        { slot: slot(y), access: 'write' },
      ],
      params,
      groups: groupsFor(n),
    });
    return { y, mean, var: variance };
  }

  function batchNormTrainBackward(x: TensorInfo, dy: TensorInfo, mean: TensorInfo, variance: TensorInfo, weight: TensorInfo | null, eps: number) {
    const [N, C, S] = layout(x.shape);
    const dx = ctx.alloc(x.shape, 'float32');
    const dweight = ctx.alloc([C], 'float32');
    const dbias = ctx.alloc([C], 'float32');
    if (C === 0) return { dx, dweight, dbias };
    const params = new Params().u(N, C, S).f(eps).done();
    run.run({
      key: 'batchNormGradStats',
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'D', access: 'read' },
          { name: 'Mean', access: 'read' },
          { name: 'Var', access: 'read' },
          { name: 'DW', access: 'write' },
          { name: 'DB', access: 'write' },
        ]) +
        PARAMS +
        PER_CHANNEL(`  let m = Mean[c];
  var a = 0.0; var b = 0.0;
  for (var j = lid; j < count; j += 256u) { ${INDEX} let d = D[idx]; a += d; b += d * (X[idx] - m); }
  part[lid] = a; part2[lid] = b;
  workgroupBarrier();
  tree(lid);
  if (lid == 0u) { DB[c] = part[0]; DW[c] = part2[0] / sqrt(Var[c] + pf(3u)); }`),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(dy), access: 'read' },
        { slot: slot(mean), access: 'read' },
        { slot: slot(variance), access: 'read' },
        { slot: slot(dweight), access: 'write' },
        { slot: slot(dbias), access: 'write' },
      ],
      params,
      groups: [C, 1, 1],
    });
    const n = sizeOf(x.shape);
    if (n === 0) return { dx, dweight, dbias };
    run.run({
      key: `batchNormGradInput:${weight ? 'w' : ''}`,
      code: () =>
        declare([
          { name: 'X', access: 'read' },
          { name: 'D', access: 'read' },
          { name: 'Mean', access: 'read' },
          { name: 'Var', access: 'read' },
          { name: 'DW', access: 'read' },
          { name: 'DB', access: 'read' },
          ...(weight ? [{ name: 'Wt', access: 'read' as const }] : []),
          { name: 'DX', access: 'write' },
        ]) +
        PARAMS +
        perElement(
          'pu(0u) * pu(1u) * pu(2u)',
          `  let c = (i / pu(2u)) % pu(1u);
  let count = f32(pu(0u) * pu(2u));
  let invStd = 1.0 / sqrt(Var[c] + pf(3u));
  // dx = w·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)); DW holds Σdy·(x − mean)·invStd.
  let k = ${weight ? 'Wt[c] * invStd' : 'invStd'};
  let proj = DW[c] * invStd / count;
  DX[i] = k * (D[i] - DB[c] / count - (X[i] - Mean[c]) * proj);`,
        ),
      buffers: [
        { slot: slot(x), access: 'read' },
        { slot: slot(dy), access: 'read' },
        { slot: slot(mean), access: 'read' },
        { slot: slot(variance), access: 'read' },
        { slot: slot(dweight), access: 'read' },
        { slot: slot(dbias), access: 'read' },
        ...(weight ? [{ slot: slot(weight), access: 'read' as const }] : []),
        { slot: slot(dx), access: 'write' },
      ],
      params,
      groups: groupsFor(n),
    });
    return { dx, dweight, dbias };
  }

  return { batchNormTrain, batchNormTrainBackward };
}
