/**
 * Inference fusion (nn/fusion.ts, ops conv2dFused): Conv2d → BatchNorm2d (eval) → (+ residual) → ReLU as one
 * convolution with the batch norm folded in. The fused kernel against the js composition on random geometries
 * (im2col and Winograd paths), zoo models fused vs unfused, the fold cache's invalidation, and where it must not
 * apply (training, recorded graphs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { activeBackend, listBackends, setBackend } from '../src/backend/registry.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { withForwardTracer } from '../src/nn/module.js';
import { firstMismatch, relativeToMax } from './helpers/tolerance.js';

const F = ct.nn.functional;
const hasWasm = listBackends().includes('wasm');

interface Case {
  x: number[];
  w: number[];
  opts: ct.nn.functional.Conv2dOptions;
  bias: boolean;
  residual: boolean;
  relu: boolean;
}

const CASES: Case[] = [
  { x: [2, 8, 9, 11], w: [12, 8, 3, 3], opts: { padding: 1 }, bias: true, residual: true, relu: true }, // Winograd
  { x: [3, 5, 7, 6], w: [7, 5, 3, 3], opts: { padding: 1 }, bias: false, residual: false, relu: true },
  { x: [2, 6, 13, 12], w: [9, 6, 3, 3], opts: { stride: 2, padding: 1 }, bias: true, residual: false, relu: true }, // im2col
  { x: [4, 16, 8, 8], w: [8, 16, 1, 1], opts: {}, bias: true, residual: true, relu: false }, // pointwise
  { x: [1, 3, 20, 20], w: [6, 3, 7, 7], opts: { stride: 2, padding: 3 }, bias: false, residual: false, relu: true }, // a stem
  { x: [2, 6, 9, 9], w: [6, 2, 3, 3], opts: { padding: 1, groups: 3 }, bias: true, residual: true, relu: true }, // grouped
  { x: [2, 6, 9, 9], w: [6, 1, 3, 3], opts: { padding: 1, groups: 6 }, bias: true, residual: true, relu: true }, // depthwise: composed
  { x: [5, 20, 4, 4], w: [50, 20, 5, 5], opts: { padding: 2 }, bias: true, residual: false, relu: true }, // columns span images
];

/**
 * With `nan`, one input is NaN: it goes through the fused ReLU as through the relu kernel. (Winograd spreads a
 * non-finite input over its whole tile, outputs the direct method leaves finite: that case is im2col's here.)
 */
function fusedRun(c: Case, nan: boolean): Float32Array {
  ct.manualSeed(21);
  const x = ct.randn(c.x);
  const w = ct.randn(c.w).mul(0.3);
  const b = c.bias ? ct.randn([c.w[0]]) : null;
  const probe = F.conv2d(x, w, b, c.opts);
  const residual = c.residual ? ct.randn(probe.shape) : null;
  const v = x.data() as Float32Array;
  if (nan) v[3] = NaN;
  const xn = ct.tensor(Array.from(v)).reshape(c.x);
  return Float32Array.from(ct.noGrad(() => F.conv2dFused(xn, w, b, c.opts, { residual, relu: c.relu })).data() as Float32Array);
}

/** Calls of the wasm backend's fused kernel, counted by a wrapper installed before its first use. */
let fusedCalls = 0;

describe.runIf(hasWasm)('fused kernels', () => {
  beforeAll(() => {
    setBackend('wasm');
    const backend = activeBackend();
    const original = backend.kernels.conv2dFused!;
    backend.kernels.conv2dFused = ((...a: Parameters<typeof original>) => {
      fusedCalls++;
      return original(...a);
    }) as typeof original;
  });
  afterAll(() => setBackend('js'));

  it('conv2dFused (bias, residual, ReLU in the output pass) matches the js composition on every conv path', () => {
    for (const c of CASES) {
      for (const algorithm of ['im2col', 'winograd2', 'winograd4'] as const) {
        const nan = algorithm === 'im2col';
        setBackend('js');
        const ref = fusedRun(c, nan);
        setBackend('wasm');
        (activeBackend() as WasmBackend).convAlgorithm = algorithm;
        const got = fusedRun(c, nan);
        const m = firstMismatch(got, ref, algorithm === 'winograd4' ? 1e-3 : 1e-4);
        if (m) throw new Error(`${algorithm} ${JSON.stringify(c)}: element ${m.index} is ${m.actual}, js ${m.expected}`);
      }
      (activeBackend() as WasmBackend).convAlgorithm = 'auto';
    }
  });

  it('zoo models in eval mode give the same outputs fused (noGrad) as layer by layer (recorded)', () => {
    const models: [string, number[]][] = [
      ['resnet18', [2, 3, 64, 64]],
      ['resnet50', [1, 3, 64, 64]],
      ['resnet20', [4, 3, 32, 32]],
      ['vgg11_bn', [1, 3, 32, 32]],
      ['mobilenet_v2', [1, 3, 64, 64]],
    ];
    for (const [name, shape] of models) {
      ct.manualSeed(5);
      const m = ct.models.create(name);
      // Non-trivial running statistics, so that folding them matters.
      ct.noGrad(() => {
        for (const mod of m.modules()) {
          if (mod instanceof ct.nn.BatchNorm2d) {
            mod.runningMean!.copy_(ct.randn(mod.runningMean!.shape).mul(0.1));
            mod.runningVar!.copy_(ct.rand(mod.runningVar!.shape).add(0.5));
            mod.weight!.copy_(ct.rand(mod.weight!.shape).add(0.5));
            mod.bias!.copy_(ct.randn(mod.bias!.shape).mul(0.1));
          }
        }
      });
      m.eval();
      const x = ct.randn(shape);
      const recorded = (m.forward(x) as ct.Tensor).data() as Float32Array; // parameters require grad: no fusion
      const before = fusedCalls;
      const fused = ct.noGrad(() => (m.forward(x) as ct.Tensor).data()) as Float32Array;
      expect(fusedCalls - before, `${name}: fused convolutions`).toBeGreaterThan(3);
      expect(recorded.length).toBe(fused.length);
      expect(relativeToMax(fused, recorded), name).toBeLessThan(1e-5);
    }
  });

  it('folded weights follow the parameters and running statistics (optimizer steps, copy_, loadStateDict)', () => {
    ct.manualSeed(9);
    const m = new ct.nn.Sequential(new ct.nn.Conv2d(3, 8, 3, { padding: 1 }), new ct.nn.BatchNorm2d(8), new ct.nn.ReLU());
    const x = ct.randn([2, 3, 8, 8]);
    const opt = new ct.optim.SGD(m.parameters(), { lr: 0.1 });
    const check = (what: string) => {
      m.eval();
      const fused = ct.noGrad(() => m.forward(x).data());
      const plain = m.forward(x).data(); // recorded: layer by layer
      // Folding rounds differently from normalizing the conv's output: equal to float32 rounding.
      expect(relativeToMax(fused as Float32Array, plain as Float32Array), what).toBeLessThan(1e-5);
      return Float32Array.from(fused as Float32Array);
    };
    const first = check('initial');
    expect(check('cached')).toEqual(first);
    m.train();
    F.mseLoss(m.forward(x), ct.zeros([2, 8, 8, 8])).backward(); // also moves the running statistics
    opt.step();
    const stepped = check('after a step');
    expect(stepped).not.toEqual(first);
    const bn = m.at(1) as ct.nn.BatchNorm2d;
    ct.noGrad(() => bn.runningVar!.copy_(bn.runningVar!.mul(4)));
    const copied = check('after copy_');
    expect(copied).not.toEqual(stepped);
    const state = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.clone()]));
    ct.noGrad(() => bn.runningMean!.copy_(bn.runningMean!.add(1)));
    check('after another copy_');
    m.loadStateDict(state);
    expect(check('after loadStateDict')).toEqual(copied);
  });

  it('relu keeps NaN as torch.relu does, on every backend and in the fused pass (an overflow is not hidden as 0)', () => {
    for (const backend of ['js', 'wasm']) {
      setBackend(backend);
      const x = ct.tensor([NaN, -1, 2, -0.5, NaN, 3, 0, NaN, 1]);
      expect(Array.from(F.relu(x).data()), backend).toEqual([NaN, 0, 2, 0, NaN, 3, 0, NaN, 1]);
      // Winograd turns +Inf − Inf into NaN where the direct method gives +Inf: either way it stays non-finite.
      const big = ct.full([1, 1, 6, 6], 3e38);
      const y = ct.noGrad(() => F.conv2dFused(big, ct.ones([1, 1, 3, 3]), null, { padding: 1 }, { relu: true })).data();
      expect(
        Array.from(y).every((v) => !Number.isFinite(v)),
        backend,
      ).toBe(true);
    }
  });

  it('softmax cross-entropy runs as one kernel each way on wasm and matches the composed ops of js', () => {
    const run = () => {
      ct.manualSeed(13);
      const x = ct.randn([37, 11], { requiresGrad: true });
      const t = ct.tensor(
        [...ct.randint(0, 11, [37]).data()].map((v, i) => (i % 7 === 3 ? -100 : v)),
        undefined,
        { dtype: 'int32' },
      );
      const out: ct.Tensor[] = [];
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const loss = F.crossEntropy(x, t, { reduction });
        const g = ct.randn(loss.shape);
        x.grad = null;
        loss.mul(g).sum().backward();
        out.push(loss, x.grad!);
      }
      const allIgnored = F.crossEntropy(ct.randn([2, 3]), ct.tensor([-100, -100], undefined, { dtype: 'int32' }));
      return [...out, allIgnored].map((v) => Float32Array.from(v.data() as Float32Array));
    };
    setBackend('js');
    const ref = run();
    setBackend('wasm');
    const backend = activeBackend() as WasmBackend;
    backend.fallbacks.clear();
    const counted = { fwd: 0 };
    const original = backend.kernels.crossEntropyFused!;
    backend.kernels.crossEntropyFused = ((...a: Parameters<typeof original>) => {
      counted.fwd++;
      return original(...a);
    }) as typeof original;
    try {
      const got = run();
      got.forEach((g, i) => expect(firstMismatch(g, ref[i], 1e-6), `output ${i}`).toBeNull());
      expect(Number.isNaN(got.at(-1)![0])).toBe(true); // every target ignored: 0/0, as PyTorch
    } finally {
      backend.kernels.crossEntropyFused = original;
    }
    expect(counted.fwd).toBe(4);
    expect(Object.fromEntries(backend.fallbacks)).toEqual({});
    // Weights, label smoothing, probabilities and more dims take the composed path, as before.
    const x = ct.randn([4, 5, 3]);
    const t = ct.randint(0, 5, [4, 3]);
    expect(F.crossEntropy(x, t).shape).toEqual([]);
    expect(F.crossEntropy(ct.randn([4, 5]), ct.randint(0, 5, [4]), { labelSmoothing: 0.1, weight: ct.rand([5]) }).shape).toEqual([]);
    expect(() => F.crossEntropy(ct.randn([4, 5]), ct.tensor([0, 1, 7, 2], undefined, { dtype: 'int32' }))).toThrow(
      'crossEntropy: target 7 is out of range for 5 classes (at position 2)',
    );
  });

  it('batch norm (+ residual) (+ ReLU) in training: one kernel each way on wasm, bit for bit the three ops', () => {
    setBackend('wasm');
    const shapes = [
      [4, 3, 5, 7], // odd plane: the scalar tails
      [8, 16, 8, 8],
      [3, 5, 2], // [N, C, L]
      [6, 4], // [N, C]
    ];
    for (const shape of shapes) {
      for (const [residual, relu, affine] of [
        [true, true, true],
        [false, true, true],
        [true, false, true],
        [true, true, false],
      ] as const) {
        const what = `${shape} residual=${residual} relu=${relu} affine=${affine}`;
        const c = shape[1];
        const run = (fused: boolean) => {
          ct.manualSeed(31);
          const x = ct.randn(shape, { requiresGrad: true });
          const r = residual ? ct.randn(shape, { requiresGrad: true }) : null;
          const w = affine ? ct.rand([c]).add(0.5).requiresGrad_() : null;
          const b = affine ? ct.randn([c]).requiresGrad_() : null;
          const rm = ct.randn([c]);
          const rv = ct.rand([c]).add(0.5);
          const dy = ct.randn(shape).mul(ct.rand(shape).gt(0.2)); // zeros too: reluBackward's dy == 0 rule
          const opts = { weight: w, bias: b, training: true, momentum: 0.3, eps: 1e-3 };
          let y: ct.Tensor;
          if (fused) y = F.batchNormAct(x, rm, rv, { ...opts, residual: r, relu });
          else {
            y = F.batchNorm(x, rm, rv, opts);
            if (r) y = y.add(r);
            if (relu) y = F.relu(y);
          }
          if (fused) expect(y.gradFn?.op, what).toBe('batchNormAct');
          y.mul(dy).sum().backward();
          return [y, x.grad, r?.grad, w?.grad, b?.grad, rm, rv].map((t) => (t ? Array.from(t.data() as Float32Array) : null));
        };
        const composed = run(false);
        const fused = run(true);
        expect(fused, what).toEqual(composed);
        if (relu) expect(fused[0]!.some((v) => v === 0) && fused[1]!.some((v) => v !== 0), what).toBe(true); // the mask mattered
      }
    }
    // NaN goes through as through the relu kernel; wrong shapes get the composed ops' errors.
    const x = ct.tensor([1, NaN, -2, 3, 0.5, -1, 2, 4]).reshape([4, 2]);
    expect(Number.isNaN(F.batchNormAct(x, null, null, { training: true, relu: true }).data()[1])).toBe(true);
    expect(() => F.batchNormAct(ct.randn([2, 3, 4]), null, null, { training: true, residual: ct.randn([2, 3, 5]) })).toThrow(/shape/);
    expect(() => F.batchNormAct(ct.randn([2, 3, 4]), null, null, { training: true, relu: true, weight: ct.ones([4]) })).toThrow(
      'batchNorm: weight must have shape [3], got [4]',
    );
    // In a model, a layer's error still names its path.
    const seq = new ct.nn.Sequential(new ct.nn.Conv2d(3, 4, 3), new ct.nn.BatchNorm2d(5), new ct.nn.ReLU());
    expect(() => seq.forward(ct.randn([2, 3, 6, 6]))).toThrow("BatchNorm2d '1': expected input with 5 channels, got 4");
  });

  it('ResNet-20 and a Sequential train the same with the training fusion as layer by layer (a tracer sees each layer)', () => {
    setBackend('wasm');
    const step = (name: 'resnet20' | 'seq', traced: boolean) => {
      ct.manualSeed(3);
      const m =
        name === 'resnet20'
          ? ct.models.create('resnet20')
          : new ct.nn.Sequential(
              new ct.nn.Conv2d(3, 8, 3, { padding: 1 }),
              new ct.nn.BatchNorm2d(8),
              new ct.nn.ReLU(),
              new ct.nn.Flatten(),
              new ct.nn.Linear(8 * 32 * 32, 10),
            );
      const x = ct.randn([4, 3, 32, 32]);
      const t = ct.tensor([1, 2, 3, 4], undefined, { dtype: 'int32' });
      const entered = new Set<string>();
      const fused = { calls: 0 };
      const forward = () => {
        const y = m.forward(x) as ct.Tensor;
        return F.crossEntropy(y, t);
      };
      const loss = traced ? withForwardTracer({ enter: (mod) => entered.add(mod.typeName), exit: () => {} }, forward) : forward();
      // Count the fused batch-norm nodes in the graph.
      const seen = new Set<unknown>();
      const walk = (g: { op: string; inputs: readonly ct.Tensor[] } | null) => {
        if (!g || seen.has(g)) return;
        seen.add(g);
        if (g.op === 'batchNormAct') fused.calls++;
        for (const i of g.inputs) walk(i.gradFn as never);
      };
      walk(loss.gradFn as never);
      loss.backward();
      const grads = [...m.parameters()].map((p) => Array.from(p.grad!.data() as Float32Array));
      const buffers = Object.values(m.stateDict()).map((b) => Array.from(b.data()));
      return { loss: loss.item(), grads, buffers, entered, fused: fused.calls };
    };
    for (const [name, blocks] of [
      ['resnet20', 19],
      ['seq', 1],
    ] as const) {
      const a = step(name, false);
      const b = step(name, true);
      expect(a.fused, name).toBe(blocks); // every BN → (add) → ReLU
      expect(b.fused, name).toBe(0);
      expect(b.entered.has('BatchNorm2d') && b.entered.has('ReLU') === (name === 'seq'), name).toBe(true);
      expect(a.loss, name).toBe(b.loss);
      expect(a.grads, name).toEqual(b.grads);
      expect(a.buffers, name).toEqual(b.buffers);
    }
  });

  it('runs layer by layer in training mode and where autograd records', () => {
    const conv = new ct.nn.Conv2d(3, 4, 3);
    const bn = new ct.nn.BatchNorm2d(4);
    const x = ct.randn([1, 3, 6, 6]);
    expect(ct.noGrad(() => ct.nn.canFuse(conv, bn, x))).toBe(false); // bn in training mode
    bn.eval();
    expect(ct.nn.canFuse(conv, bn, x)).toBe(false); // the parameters require grad
    expect(ct.noGrad(() => ct.nn.canFuse(conv, bn, x))).toBe(true);
    expect(ct.noGrad(() => ct.nn.canFuse(conv, bn, ct.randn([1, 5, 6, 6])))).toBe(false); // wrong channels: the layer's error
    expect(() => ct.noGrad(() => new ct.nn.Sequential(conv, bn).forward(ct.randn([1, 5, 6, 6])))).toThrow(/Conv2d.*expected input with 3 channels, got 5/);
    // Recorded: gradients flow as through the separate layers.
    const y = ct.nn.convBnAct(conv, bn, x, { relu: true });
    y.sum().backward();
    expect(conv.weight.grad).not.toBeNull();
  });
});
