/**
 * ONNX export: exported models run in ONNX Runtime (onnxruntime-web, a dev dependency: its wasm build, which installs without downloading anything) with outputs equal to
 * convnet-ts's, for the torchvision models of the interop fixtures (PyTorch-made weights) and for a model that
 * touches every primitive op rule; the symbolic batch works at other batch sizes; what cannot be exported is
 * refused with an error naming the op and module.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { relativeToMax } from './helpers/tolerance.js';
import * as ct from '../src/index.js';
import { traceOnnx } from '../src/io/onnx/export.js';

const nn = ct.nn;
const F = ct;
const interop = fileURLToPath(new URL('./fixtures/interop/', import.meta.url));
const expected = JSON.parse(readFileSync(`${interop}logits.json`, 'utf8')) as Record<string, { logits: number[] }>;

async function runOrt(bytes: Uint8Array, x: ct.Tensor, output = 'output'): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const r = await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.data()), x.shape) });
  return r[output].data as Float32Array;
}

/** A model whose forward uses every primitive export rule outside layers with a rule of their own. */
class EveryOp extends nn.Module {
  conv = new nn.Conv2d(3, 8, 3, { padding: 1 });
  reflect = new nn.Conv2d(8, 8, 3, { padding: 1, paddingMode: 'reflect', groups: 2 });
  replicate = new nn.Conv2d(8, 8, [3, 1], { padding: [2, 0], paddingMode: 'replicate', dilation: [2, 1], bias: false });
  bnNoStats = new nn.BatchNorm2d(8, { trackRunningStats: false });
  bn = new nn.BatchNorm2d(8);
  gn = new nn.GroupNorm(2, 8);
  inorm = new nn.InstanceNorm2d(8, { affine: true });
  lrnOdd = new nn.LocalResponseNorm(3, { alpha: 1e-2, k: 2 });
  lrnEven = new nn.LocalResponseNorm(4, { alpha: 1e-2 });
  maxout = new nn.Maxout(2);
  ln = new nn.LayerNorm([4]);
  drop = new nn.Dropout(0.5);
  fc = new nn.Linear(4 * 3 + 8, 5);
  fc3 = new nn.Linear(4, 6);
  forward(x: ct.Tensor): ct.Tensor {
    let h = this.bn.forward(this.conv.forward(x));
    h = F.relu6(this.reflect.forward(h)).add(F.leakyRelu(h, 0.2));
    h = this.replicate.forward(F.hardswish(h));
    h = this.bnNoStats.forward(h).mul(F.sigmoid(this.gn.forward(h)));
    h = this.inorm.forward(F.elu(h, 0.7)).add(F.selu(h).mul(0.1));
    h = this.lrnOdd.forward(F.silu(h)).sub(this.lrnEven.forward(F.gelu(h)).div(3));
    h = F.maxPool2d(h, 3, { stride: 2, padding: 1, ceilMode: true }); // 9 → 5
    h = F.tanh(h)
      .add(F.softplus(h, 2))
      .add(F.hardsigmoid(h))
      .add(F.gelu(h, { approximate: 'tanh' }));
    h = F.pad(h, [1, 0, 0, 1], 'constant', 0.5); // 5 → 6
    h = F.avgPool2d(h, 2, { countIncludePad: false, padding: 1, stride: 2 }); // 6 → 4
    h = F.adaptiveAvgPool2d(h, 2).add(F.adaptiveMaxPool2d(h, 2).mul(0.5)); // 4 → 2
    h = h.add(F.adaptiveAvgPool2d(h, 1)).sub(F.adaptiveMaxPool2d(h, 1).mul(0.25));
    h = F.clamp(F.abs(h), 0.05, 3)
      .add(F.sqrt(F.exp(F.neg(h))))
      .add(F.log(F.add(F.abs(h), 1)));
    h = F.where(F.gt(h, 1), h, F.mul(h, F.rsqrt(F.add(F.pow(h, 2), 1))));
    h = F.cat([h, F.sin(h).add(F.cos(h)).mul(F.sign(h))], 1); // 16 channels, 2×2
    h = this.maxout.forward(h); // 8 channels
    h = F.permute(h.reshape([h.shape[0], 2, 4, 4]), [0, 2, 1, 3]); // [N, 4, 2, 4]
    h = this.ln.forward(h);
    const k = F.slice(h, 2, 0, 1).expand([h.shape[0], 4, 3, 4]); // [N, 4, 3, 4]
    const joined = F.cat([h, k], 2); // [N, 4, 5, 4]
    h = joined
      .sub(F.mean(joined, [1, 3], true))
      .add(F.amax(joined, 3, true))
      .add(F.max(joined, 1, true).values);
    // Indices that follow the batch: zeros computed from h (a comparison, a cast) plus per-row constants.
    const zeros = F.cast(F.gt(F.slice(h, 3, 0, 1), 1e9), 'int32'); // [N, 4, 5, 1]
    const idx = zeros.add(ct.tensor([0, 3, 1, 2, 0], [1, 1, 5, 1], { dtype: 'int32' }));
    const g = F.gather(h, 3, idx); // [N, 4, 5, 1]
    h = F.slice(h, 2, 1, 4).add(F.mean(g, [1, 2, 3], true)); // [N, 4, 3, 4]
    h = this.fc3.forward(h); // Linear on 4-D: MatMul
    h = F.sum(F.matmul(h, F.transpose(h, 2, 3)), 3); // [N, 4, 3]
    const flat = this.drop.forward(h.flatten(1));
    const y = this.fc.forward(F.pad(flat, [3, 5], 'reflect'));
    return F.logSoftmax(y, 1)
      .add(F.softmax(y, 1))
      .add(F.minimum(y, F.maximum(y, 0.1)));
  }
}

describe('ONNX export runs in ONNX Runtime with equal outputs', () => {
  const n = 3 * 224 * 224;
  const x = ct.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.001 * i)),
    [1, 3, 224, 224],
  );
  for (const name of Object.keys(expected)) {
    it(`${name} with PyTorch's weights: ONNX Runtime, convnet-ts and PyTorch agree to 1e-4`, async () => {
      const model = ct.models.create(name, name === 'googlenet' || name === 'inception_v3' ? { auxLogits: false } : {});
      model.loadStateDict(await ct.io.loadPthStateDict(`${interop}${name}.pth`));
      model.eval();
      const bytes = ct.io.exportOnnx(model, [1, 3, 224, 224]);
      const ours = ct.noGrad(() => model.forward(x)).data();
      const theirs = await runOrt(bytes, x);
      expect(relativeToMax(theirs, ours)).toBeLessThanOrEqual(1e-4);
      expect(relativeToMax(theirs, expected[name].logits)).toBeLessThanOrEqual(1e-4);
    }, 60_000);
  }

  it('every primitive op rule and layer rule, at batch sizes 3 and 1 (symbolic batch), and back through importOnnx', async () => {
    ct.manualSeed(3);
    const model = new EveryOp();
    // Running statistics that are not the defaults, so BatchNormalization's inputs matter.
    ct.noGrad(() => {
      model.bn.runningMean!.copy_(ct.randn(8).mul(0.1));
      model.bn.runningVar!.copy_(ct.rand(8).add(0.5));
    });
    model.eval();
    const bytes = ct.io.exportOnnx(model, [1, 3, 9, 9]);
    const proto = traceOnnx(model, [1, 3, 9, 9]);
    const ops = new Set(proto.graph!.node!.map((nd) => nd.op_type));
    for (const op of [
      'Conv',
      'Pad',
      'BatchNormalization',
      'InstanceNormalization',
      'LRN',
      'LayerNormalization',
      'Gemm',
      'MatMul',
      'Dropout',
      'Erf',
      'MaxPool',
      'AveragePool',
      'GlobalAveragePool',
      'GlobalMaxPool',
      'Clip',
      'LeakyRelu',
      'HardSwish',
      'HardSigmoid',
      'Selu',
      'Elu',
      'Softplus',
      'Where',
      'Greater',
      'Concat',
      'Transpose',
      'Expand',
      'Slice',
      'GatherElements',
      'ReduceSum',
      'ReduceMax',
      'Flatten',
      'Softmax',
      'LogSoftmax',
      'Min',
      'Max',
    ]) {
      expect(ops, op).toContain(op);
    }
    expect(model.training).toBe(false);
    for (const batch of [3, 1]) {
      const input = ct.randn([batch, 3, 9, 9]);
      const ours = ct.noGrad(() => model.forward(input));
      const theirs = await runOrt(bytes, input);
      expect(theirs.length).toBe(ours.numel());
      expect(relativeToMax(theirs, ours.data())).toBeLessThanOrEqual(1e-4);
      const back = ct.io.importOnnx(bytes).eval();
      expect(relativeToMax(ct.noGrad(() => back.forward(input)).data(), ours.data())).toBeLessThanOrEqual(1e-5);
    }
  }, 60_000);

  it('restores train mode, names inputs and outputs, stores metadata, and keeps a static batch when asked', async () => {
    const model = ct.models.create('lenet5', { activation: 'relu', pooling: 'max' });
    expect(model.training).toBe(true);
    const proto = traceOnnx(model, [4, 1, 32, 32], { dynamicBatch: false, inputName: 'input', outputNames: ['logits'], metadata: { classes: '0,1' } });
    expect(model.training).toBe(true);
    expect(proto.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(proto.graph!.output![0].name).toBe('logits');
    expect(proto.graph!.input![0].type!.tensor_type!.shape!.dim![0]).toEqual({ dim_value: 4 });
    expect(proto.metadata_props).toEqual([{ key: 'classes', value: '0,1' }]);
    const inits = proto.graph!.initializer!.map((t) => t.name);
    expect(inits).toContain('features.0.weight');
    const dyn = traceOnnx(model, [1, 1, 32, 32]);
    expect(dyn.graph!.input![0].type!.tensor_type!.shape!.dim![0]).toEqual({ dim_param: 'batch' });
  });

  it('refuses what ONNX cannot express, naming the op and module, and bad arguments', () => {
    class Circular extends nn.Module {
      conv = new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: 'circular' });
      forward(x: ct.Tensor) {
        return this.conv.forward(x);
      }
    }
    expect(() => ct.io.exportOnnx(new Circular(), [1, 1, 5, 5])).toThrow(/cannot export 'conv': circular padding/);
    class BatchCat extends nn.Module {
      forward(x: ct.Tensor) {
        return F.cat([x, x], 0);
      }
    }
    expect(() => ct.io.exportOnnx(new BatchCat(), [1, 4])).toThrow(/concatenation along the batch axis 0; export with dynamicBatch: false/);
    expect(ct.io.exportOnnx(new BatchCat(), [1, 4], { dynamicBatch: false }).length).toBeGreaterThan(0);
    class UsesIndices extends nn.Module {
      forward(x: ct.Tensor) {
        return F.maxPool2d(x, 2, { returnIndices: true }).indices.float();
      }
    }
    expect(() => ct.io.exportOnnx(new UsesIndices(), [1, 1, 4, 4])).toThrow(/pooling indices/);
    class MeanOverBatch extends nn.Module {
      forward(x: ct.Tensor) {
        return x.sub(F.mean(x));
      }
    }
    expect(() => ct.io.exportOnnx(new MeanOverBatch(), [1, 4])).toThrow(/Div '.*' depends on the batch size/);
    expect(ct.io.exportOnnx(new MeanOverBatch(), [1, 4], { dynamicBatch: false }).length).toBeGreaterThan(0);
    const uneven = new nn.Sequential(new nn.Conv2d(1, 2, 1), new nn.AdaptiveAvgPool2d(3));
    expect(() => ct.io.exportOnnx(uneven, [1, 1, 5, 5])).toThrow(/cannot export '1': adaptive average pooling from 5x5 to 3x3 has uneven windows/);
    expect(() => ct.io.exportOnnx(new BatchCat(), [])).toThrow(/inputShape must be a non-empty list/);
    expect(() => ct.io.exportOnnx(new BatchCat(), [1, 2.5])).toThrow(/positive integers/);
    expect(() => ct.io.exportOnnx(new BatchCat(), [1, 4], { dynamicBatch: false, outputNames: ['a', 'b'] })).toThrow(/2 output name\(s\) given for 1 output/);
  });
});
