/**
 * The wasm backend against the js reference on random shapes (odd sizes, strides, padding, dilation, groups):
 * every kernel it implements, forward and backward, plus its memory management (eviction, synchronous
 * collection) and thread-count independence. The shared op and gradient suites also run on both backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { activeBackend, listBackends, registerBackend, setBackend } from '../src/backend/registry.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';
import { relaxedSimdSupported } from '../src/backend/wasm/module.js';
import { firstMismatch } from './helpers/tolerance.js';

const F = ct.nn.functional;
const hasWasm = listBackends().includes('wasm');

/** A small deterministic generator for shapes and options (values come from ct's seeded RNG). */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

interface Out {
  values: Float32Array | Int32Array;
  shape: number[];
}

/** Runs `f` on both backends with the same (re-created) inputs; returns each backend's outputs. */
function onBoth(f: () => ct.Tensor[]): { js: Out[]; wasm: Out[] } {
  const run = (backend: string): Out[] => {
    setBackend(backend);
    ct.manualSeed(1234);
    return f().map((t) => ({ values: t.data(), shape: [...t.shape] }));
  };
  const js = run('js');
  const wasm = run('wasm');
  setBackend('wasm');
  return { js, wasm };
}

function expectSame(label: string, r: { js: Out[]; wasm: Out[] }, rtol = 1e-5): void {
  r.js.forEach((a, i) => {
    const b = r.wasm[i];
    expect(b.shape, `${label} output ${i} shape`).toEqual(a.shape);
    const m = firstMismatch(b.values, a.values, rtol);
    if (m) throw new Error(`${label} output ${i}: element ${m.index} is ${m.actual} on wasm, ${m.expected} on js (rtol ${rtol})`);
  });
}

function expectBitwise(label: string, r: { js: Out[]; wasm: Out[] }): void {
  r.js.forEach((a, i) => {
    const b = r.wasm[i].values;
    for (let k = 0; k < a.values.length; k++) {
      if (!Object.is(a.values[k], b[k]) && !(Number.isNaN(a.values[k]) && Number.isNaN(b[k]))) {
        throw new Error(`${label} output ${i}: element ${k} is ${b[k]} on wasm, ${a.values[k]} on js (bitwise)`);
      }
    }
  });
}

describe.runIf(hasWasm)('wasm backend', () => {
  beforeAll(() => setBackend('wasm'));
  afterAll(() => setBackend('js'));

  it('is the default backend where WebAssembly SIMD is available, with every core as threads', () => {
    expect(ct.getBackend()).toBe('wasm');
    expect(ct.getNumThreads()).toBeGreaterThanOrEqual(1);
    expect(() => ct.setNumThreads(0)).toThrow('setNumThreads: expected a positive integer, got 0');
  });

  it('matmul matches js on random shapes, transposes and batches (including multi-threaded sizes)', () => {
    const r = lcg(1);
    const cases: [number, number, number, number][] = [
      [1, 1, 1, 1],
      [1, 3, 5, 7],
      [2, 17, 33, 9],
      [3, 64, 65, 63],
      [1, 130, 257, 300],
      [4, 1, 300, 200],
    ];
    for (let i = 0; i < 6; i++) cases.push([1 + r(3), 1 + r(90), 1 + r(90), 1 + r(90)]);
    for (const [b, m, k, n] of cases) {
      expectSame(
        `matmul ${b}x${m}x${k}x${n}`,
        onBoth(() => {
          const a = ct.randn([b, m, k], { requiresGrad: true });
          const w = ct.randn([b, k, n], { requiresGrad: true });
          const y = ct.matmul(a, w);
          y.backward(ct.randn(y.shape)); // dA = dY·Wᵀ and dW = Aᵀ·dY: the kernel's transposed operands
          return [y, a.grad!, w.grad!];
        }),
        1e-4,
      ); // the GEMM accumulates in f32 like PyTorch; the js reference in f64
    }
  });

  it('matmul gradients (transposed products) match js', () => {
    expectSame(
      'matmul grads',
      onBoth(() => {
        const a = ct.randn([37, 61], { requiresGrad: true });
        const b = ct.randn([61, 29], { requiresGrad: true });
        a.matmul(b).square().sum().backward();
        return [a.grad!, b.grad!];
      }),
    );
  });

  it('conv2d forward, input gradient and weight gradient match js on random geometries', () => {
    const r = lcg(7);
    type Cfg = {
      n: number;
      cin: number;
      cout: number;
      h: number;
      w: number;
      kh: number;
      kw: number;
      s: [number, number];
      p: [number, number] | 'same';
      d: [number, number];
      g: number;
      bias: boolean;
    };
    const cfgs: Cfg[] = [
      { n: 2, cin: 3, cout: 4, h: 9, w: 7, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], g: 1, bias: true },
      { n: 1, cin: 8, cout: 6, h: 5, w: 5, kh: 1, kw: 1, s: [1, 1], p: [0, 0], d: [1, 1], g: 2, bias: false }, // pointwise, grouped
      { n: 3, cin: 4, cout: 4, h: 11, w: 13, kh: 3, kw: 3, s: [2, 2], p: [1, 1], d: [1, 1], g: 4, bias: true }, // depthwise, stride 2
      { n: 2, cin: 3, cout: 6, h: 10, w: 9, kh: 3, kw: 5, s: [1, 1], p: 'same', d: [2, 1], g: 3, bias: true }, // depthwise ×2
      { n: 2, cin: 6, cout: 9, h: 12, w: 11, kh: 5, kw: 3, s: [3, 2], p: [2, 0], d: [1, 2], g: 3, bias: true },
      { n: 8, cin: 16, cout: 24, h: 15, w: 15, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], g: 1, bias: true }, // multi-part
      { n: 1, cin: 64, cout: 32, h: 30, w: 30, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], g: 1, bias: false }, // several column chunks
      { n: 5, cin: 20, cout: 50, h: 4, w: 4, kh: 5, kw: 5, s: [1, 1], p: [2, 2], d: [1, 1], g: 1, bias: true }, // chunks span images
      { n: 2, cin: 6, cout: 4, h: 9, w: 10, kh: 3, kw: 2, s: [1, 1], p: 'same', d: [2, 3], g: 2, bias: false }, // asymmetric 'same', dilated, grouped
      { n: 3, cin: 4, cout: 5, h: 6, w: 7, kh: 2, kw: 3, s: [1, 1], p: [0, 2], d: [1, 1], g: 1, bias: false }, // padding beyond the kernel's reach on one side
      { n: 5, cin: 16, cout: 12, h: 5, w: 5, kh: 5, kw: 5, s: [1, 1], p: [0, 0], d: [1, 1], g: 1, bias: true }, // 1×1 output: a matrix product
      { n: 3, cin: 2, cout: 7, h: 4, w: 3, kh: 4, kw: 3, s: [2, 1], p: [0, 0], d: [1, 1], g: 1, bias: false }, // the same, strided, no bias
    ];
    for (let i = 0; i < 6; i++) {
      const g = 1 + r(3);
      cfgs.push({
        n: 1 + r(4),
        cin: g * (1 + r(4)),
        cout: g * (1 + r(4)),
        h: 3 + r(12),
        w: 3 + r(12),
        kh: 1 + r(3),
        kw: 1 + r(3),
        s: [1 + r(2), 1 + r(3)],
        p: [r(2), r(2)],
        d: [1 + r(2), 1],
        g,
        bias: r(2) === 1,
      });
    }
    for (const c of cfgs) {
      const label = `conv2d ${JSON.stringify(c)}`;
      expectSame(
        label,
        onBoth(() => {
          const x = ct.randn([c.n, c.cin, c.h, c.w], { requiresGrad: true });
          const w = ct.randn([c.cout, c.cin / c.g, c.kh, c.kw], { requiresGrad: true });
          const b = c.bias ? ct.randn([c.cout], { requiresGrad: true }) : null;
          const y = F.conv2d(x, w, b, { stride: c.s, padding: c.p, dilation: c.d, groups: c.g });
          y.backward(ct.randn(y.shape));
          return [y, x.grad!, w.grad!, ...(b ? [b.grad!] : [])];
        }),
        1e-4,
      );
    }
  });

  it('binary ops with every broadcast pattern match js bit for bit', () => {
    const shapes: [number[], number[]][] = [
      [
        [4, 5, 6, 7],
        [1, 5, 1, 1],
      ],
      [
        [3, 1],
        [1, 9],
      ],
      [[2, 3, 4], []],
      [[7], [7]],
      [[70001], [70001]],
      [[70001], [1]],
      [[1], [5, 3]],
      [
        [6, 1, 5],
        [6, 4, 1],
      ],
      [
        [2, 3, 4, 5, 6],
        [3, 1, 5, 1],
      ],
      [[257, 130], [130]],
    ];
    const ops = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
    for (const [sa, sb] of shapes) {
      expectBitwise(
        `binary ${JSON.stringify([sa, sb])}`,
        onBoth(() => {
          // Small integers, so that the comparisons see equal pairs too.
          const a = ct.randint(-3, 4, sa).float();
          const b = ct
            .randint(-3, 4, sb)
            .float()
            .add(
              ct
                .randn(sb)
                .mul(0.01)
                .mul(ct.randint(0, 2, sb).float()),
            );
          return ops.map((op) => (a as unknown as Record<string, (o: ct.Tensor) => ct.Tensor>)[op](b));
        }),
      );
    }
  });

  it('transpose, broadcastTo and strided slices (float32 and int32) match js bit for bit', () => {
    expectBitwise(
      'layout',
      onBoth(() => {
        const x = ct.randn([3, 5, 7, 2]);
        const i = ct.randint(-100, 100, [4, 9, 6]);
        return [
          x.permute(3, 1, 0, 2),
          x.transpose(0, 3),
          i.permute(2, 0, 1),
          ct.randn([300, 257]).transpose(0, 1),
          ct.expand(ct.randn([1, 5, 1]), [4, 5, 6]).mul(1),
          ct.expand(i.narrow(0, 1, 1), [3, 9, 6]).add(0),
          x.narrow(1, 1, 3),
          ct.slice(x, 2, 1, 7, 2),
          i.narrow(2, 2, 3),
          ct.expand(ct.tensor([3]), [2, 2]).mul(1),
        ];
      }),
    );
  });

  it('unary functions and their gradients match js', () => {
    const fns: [string, (x: ct.Tensor) => ct.Tensor][] = [
      ['neg', (x) => x.neg()],
      ['exp', (x) => x.exp()],
      ['log', (x) => x.abs().add(0.1).log()],
      ['sqrt', (x) => x.abs().sqrt()],
      ['rsqrt', (x) => x.abs().add(0.5).rsqrt()],
      ['abs', (x) => x.abs()],
      ['relu', F.relu],
      ['relu6', (x) => F.relu6(x.mul(4))],
      ['leakyRelu', (x) => F.leakyRelu(x, 0.2)],
      ['elu', (x) => F.elu(x, 0.7)],
      ['sigmoid', F.sigmoid],
      ['tanh', F.tanh],
      ['silu', F.silu],
      ['hardswish', (x) => F.hardswish(x.mul(4))],
      ['hardsigmoid', (x) => F.hardsigmoid(x.mul(4))],
      ['clamp', (x) => x.clamp(-0.5, 0.3)],
    ];
    for (const n of [13, 70003]) {
      for (const [name, f] of fns) {
        expectSame(
          `${name} (${n})`,
          onBoth(() => {
            const x = ct.randn([n], { requiresGrad: true });
            const y = f(x);
            y.backward(ct.randn([n]));
            return [y, x.grad!];
          }),
        );
      }
    }
  });

  it('softmax and log-softmax along any dim, and their gradients, match js', () => {
    for (const [shape, dim] of [
      [[64, 10], 1],
      [[4, 5, 6], 1],
      [[3, 7], 0],
      [[2, 3, 40000], 2],
    ] as const) {
      expectSame(
        `softmax ${JSON.stringify([shape, dim])}`,
        onBoth(() => {
          const x = ct.randn([...shape], { requiresGrad: true });
          const g = ct.randn([...shape]);
          const y = F.softmax(x, dim);
          const l = F.logSoftmax(x, dim);
          y.mul(g).sum().add(l.mul(g).sum()).backward();
          return [y, l, x.grad!];
        }),
      );
    }
  });

  it('sum over every reduction pattern matches js (f64 accumulation on both)', () => {
    const cases: [number[], number[] | undefined][] = [
      [[64, 10], undefined],
      [[64, 10], [1]],
      [[64, 500], [0]],
      [
        [8, 16, 7, 9],
        [0, 2, 3],
      ],
      [[3, 4, 5], [1]],
      [
        [3, 4, 5],
        [0, 2],
      ],
      [
        [2, 3, 4, 5],
        [0, 2],
      ],
      [[100003], [0]],
      [[5, 1, 7], [2]],
    ];
    for (const [shape, dims] of cases) {
      expectSame(
        `sum ${JSON.stringify([shape, dims])}`,
        onBoth(() => [ct.sum(ct.randn(shape), dims)]),
      );
    }
  });

  it('max and average pooling, forward and backward, match js', () => {
    const cfgs: [number[], number, Record<string, unknown>][] = [
      [[2, 3, 8, 8], 2, {}],
      [[1, 2, 9, 7], 3, { stride: 2, padding: 1 }],
      [[2, 2, 11, 10], 3, { stride: 2, ceilMode: true }],
      [[1, 3, 10, 10], 3, { stride: 1, padding: 1, dilation: 2 }],
      [[64, 20, 28, 28], 2, {}],
      // Four outputs at a time inside the image, one at a time at the borders and the tail.
      [[2, 3, 21, 23], 3, { stride: 2, padding: 1 }],
      [[1, 2, 13, 14], 3, { stride: 1, padding: 1 }],
      [[1, 2, 6, 19], 2, { stride: 1 }],
    ];
    // Ties (first maximum wins) and NaNs (the first NaN wins) on the vector path as on the scalar one.
    expectSame(
      'maxPool2d ties and NaN',
      onBoth(() => {
        const v = Float32Array.from(ct.randn([2, 2, 12, 21]).data() as Float32Array, (e) => Math.floor(1.5 * e));
        v[30] = NaN;
        v[31] = NaN;
        v[300] = NaN;
        const xt = ct.tensor(Array.from(v)).reshape([2, 2, 12, 21]).requiresGrad_();
        const y = F.maxPool2d(xt, 3, { stride: 2, padding: 1 });
        y.backward(ct.ones(y.shape));
        return [y, xt.grad!];
      }),
    );
    for (const [shape, k, opts] of cfgs) {
      expectSame(
        `maxPool2d ${JSON.stringify([shape, k, opts])}`,
        onBoth(() => {
          const x = ct.randn(shape, { requiresGrad: true });
          const y = F.maxPool2d(x, k, opts);
          y.backward(ct.randn(y.shape));
          return [y, x.grad!];
        }),
      );
      const { dilation: _d, ...avgOpts } = opts;
      for (const extra of [{}, { countIncludePad: false }, { divisorOverride: 3 }]) {
        expectSame(
          `avgPool2d ${JSON.stringify([shape, k, avgOpts, extra])}`,
          onBoth(() => {
            const x = ct.randn(shape, { requiresGrad: true });
            const y = F.avgPool2d(x, k, { ...avgOpts, ...extra });
            y.backward(ct.randn(y.shape));
            return [y, x.grad!];
          }),
        );
      }
    }
  });

  it('adaptive average and max pooling, even and uneven (overlapping) windows, forward and backward, run in wasm bit for bit as js', () => {
    const backend = () => activeBackend() as WasmBackend;
    backend().fallbacks.clear();
    for (const [shape, out] of [
      [
        [4, 16, 7, 7],
        [1, 1],
      ], // global: average pooling's kernel
      [
        [2, 3, 6, 9],
        [2, 3],
      ],
      [
        [1, 5, 12, 4],
        [3, 1],
      ],
      [
        [2, 3, 7, 5],
        [3, 2],
      ], // uneven: windows overlap
      [
        [1, 2, 5, 5],
        [1, 2],
      ],
      [
        [2, 4, 3, 3],
        [5, 4],
      ], // more outputs than inputs: windows repeat
      [
        [40, 20, 13, 11],
        [6, 5],
      ], // several planes per part
    ] as const) {
      expectBitwise(
        `adaptive pooling ${JSON.stringify([shape, out])}`,
        onBoth(() => {
          const x = ct.randn([...shape], { requiresGrad: true });
          const xd = x.data() as Float32Array;
          xd[3] = NaN; // max: the first NaN wins, as torch
          const xn = ct
            .tensor(Array.from(xd))
            .reshape([...shape])
            .requiresGrad_();
          const avg = F.adaptiveAvgPool2d(x, [...out]);
          const { values: mx, indices: idx } = F.adaptiveMaxPool2d(xn, [...out], { returnIndices: true });
          avg.backward(ct.randn(avg.shape));
          mx.backward(ct.randn(mx.shape));
          return [avg, x.grad!, mx, idx, xn.grad!];
        }),
      );
    }
    expect(Object.fromEntries(backend().fallbacks)).toEqual({});
  });

  it('pad (every mode, ranks 1-5, float32 and int32) and its gradient, and argmax/argmin, run in wasm bit for bit as js', () => {
    const backend = () => activeBackend() as WasmBackend;
    backend().fallbacks.clear();
    const cases: [number[], number[]][] = [
      [[7], [2, 3]],
      [
        [3, 5],
        [1, 2, 0, 1],
      ],
      [
        [2, 3, 5, 4],
        [1, 2, 2, 1],
      ],
      [
        [2, 3, 6, 7],
        [3, 0, 0, 2, 1, 1],
      ],
      [
        [2, 2, 3, 4, 5],
        [1, 1, 2, 0],
      ],
      [
        [1, 1, 300, 300],
        [1, 1, 1, 1],
      ], // several parts
    ];
    for (const mode of ['constant', 'reflect', 'replicate', 'circular'] as const) {
      for (const [shape, pads] of cases) {
        expectBitwise(
          `pad ${mode} ${JSON.stringify([shape, pads])}`,
          onBoth(() => {
            const x = ct.randn(shape, { requiresGrad: true });
            const y = F.pad(x, pads, mode, mode === 'constant' ? -1.5 : 0);
            const dy = ct.randn(y.shape);
            const dd = dy.data() as Float32Array;
            dd[0] = -0; // −0 reaches dx as 0 + −0 = +0 in both kernels
            y.backward(ct.tensor(Array.from(dd)).reshape(y.shape));
            const xi = ct.randint(-9, 9, shape);
            return [y, x.grad!, F.pad(xi, pads, mode, mode === 'constant' ? 7.9 : 0)];
          }),
        );
      }
    }
    expectBitwise(
      'argmax and argmin',
      onBoth(() => {
        const x = ct.randint(0, 4, [5, 7, 3]).to('float32'); // ties: the first index wins
        const xd = x.data() as Float32Array;
        xd[10] = NaN; // NaN wins and sticks
        const xn = ct.tensor(Array.from(xd)).reshape([5, 7, 3]);
        const out: ct.Tensor[] = [];
        for (const dim of [0, 1, 2]) out.push(ct.argmax(xn, dim), ct.argmin(xn, dim), ct.max(xn, dim).values, ct.min(xn, dim).indices);
        out.push(ct.argmax(ct.randn([300, 1000]), 1), ct.argmax(xn)); // several parts; flattened
        return out;
      }),
    );
    expect(Object.fromEntries(backend().fallbacks)).toEqual({});
  });

  it('fused training-mode batch norm (forward, running statistics, gradients) matches js', () => {
    for (const [shape, affine] of [
      [[8, 16, 7, 9], true],
      [[64, 10], false],
      [[3, 5, 2], true],
      [[32, 64, 16, 16], true],
    ] as const) {
      expectSame(
        `batchNorm ${JSON.stringify(shape)}`,
        onBoth(() => {
          const bn = new ct.nn.BatchNorm2d(shape[1], { affine });
          if (affine) ct.noGrad(() => bn.weight!.copy_(ct.randn([shape[1]])));
          const x = ct.randn([...shape], { requiresGrad: true });
          const y = shape.length === 4 ? bn.forward(x) : F.batchNorm(x, bn.runningMean, bn.runningVar, { weight: bn.weight, bias: bn.bias, training: true });
          y.backward(ct.randn(y.shape));
          return [y, x.grad!, bn.runningMean!, bn.runningVar!, ...(affine ? [bn.weight!.grad!, bn.bias!.grad!] : [])];
        }),
      );
    }
  });

  it('every optimizer update (SGD, Adam/AdamW, RMSprop, Adagrad, Adadelta) is bit-identical to the js reference loops (which mirror PyTorch)', () => {
    const settings: [string, (p: ct.nn.Parameter[]) => ct.optim.Optimizer][] = [
      ['sgd', (p) => new ct.optim.SGD(p, { lr: 0.1 })],
      ['sgd momentum wd', (p) => new ct.optim.SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 1e-3, dampening: 0.1 })],
      ['sgd nesterov maximize', (p) => new ct.optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true })],
      ['adam', (p) => new ct.optim.Adam(p, { lr: 1e-2 })],
      ['adam amsgrad wd', (p) => new ct.optim.Adam(p, { lr: 1e-2, amsgrad: true, weightDecay: 1e-2 })],
      ['adamw', (p) => new ct.optim.AdamW(p, { lr: 1e-2, weightDecay: 0.1 })],
      ['rmsprop', (p) => new ct.optim.RMSprop(p, { lr: 1e-2 })],
      ['rmsprop centered momentum wd maximize', (p) => new ct.optim.RMSprop(p, { lr: 1e-2, centered: true, momentum: 0.9, weightDecay: 1e-3, maximize: true })],
      ['adagrad', (p) => new ct.optim.Adagrad(p, { lr: 0.1 })],
      ['adagrad lr decay wd', (p) => new ct.optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, weightDecay: 1e-3, initialAccumulatorValue: 0.1 })],
      ['adadelta', (p) => new ct.optim.Adadelta(p, { lr: 1 })],
      ['adadelta wd maximize', (p) => new ct.optim.Adadelta(p, { lr: 0.5, rho: 0.8, weightDecay: 1e-2, maximize: true })],
    ];
    const backend = activeBackend() as WasmBackend;
    backend.fallbacks.clear();
    for (const [name, make] of settings) {
      expectBitwise(
        name,
        onBoth(() => {
          const p = new ct.nn.Parameter(ct.randn([70001]));
          const opt = make([p]);
          for (let step = 0; step < 3; step++) {
            opt.zeroGrad();
            p.mul(p).mul(0.5).sum().backward();
            opt.step();
          }
          return [p];
        }),
      );
    }
    expect(Object.fromEntries(backend.fallbacks)).toEqual({}); // every update ran its wasm kernel
  });

  it('gives the same results with 1 thread as with several', () => {
    const run = (threads: number) => {
      ct.setNumThreads(threads);
      ct.manualSeed(5);
      const x = ct.randn([6, 8, 20, 20], { requiresGrad: true });
      const w = ct.randn([16, 8, 3, 3], { requiresGrad: true });
      const y = F.conv2d(x, w, null, { padding: 1 }).relu();
      const m = ct.matmul(ct.randn([300, 200]), ct.randn([200, 300]));
      y.sum().backward();
      return [y.data(), m.data(), x.grad!.data(), w.grad!.data()];
    };
    const before = ct.getNumThreads();
    const one = run(1);
    const two = run(Math.max(2, before));
    ct.setNumThreads(before);
    // Outputs are split into disjoint parts, so they agree exactly; the weight gradient sums per-part blocks.
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).toEqual(one[1]);
    expect(two[2]).toEqual(one[2]);
    expect(firstMismatch(two[3], one[3], 1e-5)).toBeNull();
  });

  it('runs on plain (non-shared) memory with one thread, as in a page without cross-origin isolation', () => {
    // A small budget forces memory growth and eviction, which detach every view of non-shared memory.
    registerBackend('wasm-single', () => createWasmBackend({ variant: 'single', heapBudget: 2 << 20, collect: false }));
    const work = () => {
      ct.manualSeed(4);
      const model = ct.models.create('resnet20');
      const opt = new ct.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = ct.randn([4, 3, 16, 16]);
      const y = ct.randint(0, 10, [4]);
      for (let i = 0; i < 2; i++) {
        opt.zeroGrad();
        F.crossEntropy(model.forward(x), y).backward();
        opt.step();
      }
      return model.forward(x).data();
    };
    setBackend('js');
    const reference = work();
    setBackend('wasm-single');
    const single = activeBackend() as WasmBackend;
    const out = work();
    setBackend('wasm');
    expect(single.variant).toBe('single');
    expect(single.threads).toBe(1);
    expect(single.heap.memory.buffer instanceof SharedArrayBuffer).toBe(false);
    expect(single.heap.stats.evictions).toBeGreaterThan(0);
    expect(firstMismatch(out, reference, 1e-3)).toBeNull();
  });

  it('relaxed-SIMD kernels (fused multiply-add) agree with the plain-SIMD kernels, which stay the tested fallback', () => {
    // Node 20 runs relaxed SIMD once V8's flag is set (module.ts); Node 22 and Chrome 114+ without it.
    expect(relaxedSimdSupported()).toBe(true);
    expect((activeBackend() as WasmBackend).relaxedSimd).toBe(true);
    registerBackend('wasm-plain', () => createWasmBackend({ relaxedSimd: false }));
    const work = () => {
      ct.manualSeed(8);
      const a = ct.randn([67, 300]);
      const b = ct.randn([300, 45]);
      const x = ct.randn([3, 16, 15, 17], { requiresGrad: true });
      const w = ct.randn([24, 16, 3, 3], { requiresGrad: true });
      const y = F.conv2d(x, w, null, { padding: 1 });
      y.backward(ct.randn(y.shape));
      return [ct.matmul(a, b), y, x.grad!, w.grad!].map((t) => Float32Array.from(t.data() as Float32Array));
    };
    const fused = work();
    setBackend('wasm-plain');
    expect((activeBackend() as WasmBackend).relaxedSimd).toBe(false);
    const plain = work();
    setBackend('js');
    const reference = work();
    setBackend('wasm');
    fused.forEach((f, i) => {
      expect(firstMismatch(f, plain[i], 1e-4), `output ${i}: relaxed vs plain`).toBeNull();
      expect(firstMismatch(f, reference[i], 1e-4), `output ${i}: relaxed vs js`).toBeNull();
      expect(firstMismatch(plain[i], reference[i], 1e-4), `output ${i}: plain vs js`).toBeNull();
    });
  });

  it('counts the calls that ran a js reference kernel (a kernel it lacks, or a case its kernel declines)', () => {
    setBackend('wasm');
    const backend = activeBackend() as WasmBackend;
    backend.fallbacks.clear();
    const a = ct.randn([64, 64]);
    a.add(a).data(); // float32: the wasm kernel
    expect(backend.fallbacks.get('add')).toBeUndefined();
    expect(ct.pow(a, a).shape).toEqual([64, 64]); // pow of two tensors: no wasm kernel, the js kernel runs
    expect(backend.fallbacks.get('pow')).toBe(1);
  });

  it('int32 binary ops, int32 fill, casts, gather and scatterAdd run in wasm and match js bit for bit', () => {
    const backend = () => activeBackend() as WasmBackend;
    backend().fallbacks.clear();
    const ints = (shape: number[], lo: number, hi: number) => ct.randint(lo, hi, shape);
    const ops = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
    expectBitwise(
      'int32 and mixed binary ops',
      onBoth(() => {
        const i = ints([3, 1, 5], -4, 5);
        const j = ints([1, 4, 5], -4, 5);
        const big = ct.tensor([2147483647, -2147483648, 65536, -7], undefined, { dtype: 'int32' });
        const f = ct.randn([4, 5]);
        const scalar = ct.tensor(3, undefined, { dtype: 'int32' });
        const out: ct.Tensor[] = [];
        for (const op of ops) {
          out.push(ct[op](i, j), ct[op](i, f), ct[op](f, j), ct[op](scalar, scalar)); // int∘int, int∘float, float∘int, rank 0
          out.push(ct[op](big, big.neg())); // wrapping add/sub/mul, as torch's int32
        }
        out.push(ct.div(ct.randn([]), ct.randn([]))); // float32 rank 0
        return out;
      }),
    );
    expectBitwise(
      'int32 fill and casts',
      onBoth(() => {
        const x = ct.tensor([1.7, -1.7, -0.2, NaN, Infinity, -Infinity, 3e9, -3e9, 2147483520, 16777217, 0.5, -2.5]);
        const i = x.to('int32');
        return [ct.full([5], 7, { dtype: 'int32' }), ct.full([3], -2147483648, { dtype: 'int32' }), ct.zeros([2, 3], { dtype: 'int32' }), i, i.to('float32')];
      }),
    );
    expectBitwise(
      'gather and scatterAdd',
      onBoth(() => {
        const x = ct.randn([4, 5, 6], { requiresGrad: true });
        const idx1 = ct.randint(0, 5, [4, 3, 6]); // repeats: scatterAdd sums them
        const idx2 = ct.randint(0, 6, [2, 5, 2]); // smaller than x on other dims
        const g1 = ct.gather(x, 1, idx1);
        const g2 = ct.gather(x, 2, idx2);
        g1.mul(ct.randn(g1.shape))
          .sum()
          .add(g2.mul(ct.randn(g2.shape)).sum())
          .backward();
        const xi = ct.randint(-9, 9, [3, 7]);
        const gi = ct.gather(xi, 0, ct.randint(0, 3, [3, 7]));
        return [g1, g2, x.grad!, gi];
      }),
    );
    expect(Object.fromEntries(backend().fallbacks)).toEqual({});
  });

  it('trains W1 and W2, runs ResNet-18 and EfficientNet-B0 inference and a MobileNetV2 step without a js kernel', () => {
    setBackend('wasm');
    const backend = activeBackend() as WasmBackend;
    const train = (name: string, shape: number[], batch: number) => {
      ct.manualSeed(0);
      const m = ct.models.create(name);
      const opt = new ct.optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
      const x = ct.randn([batch, ...shape]);
      const y = ct.randint(0, 10, [batch]);
      for (let i = 0; i < 2; i++) {
        opt.zeroGrad();
        const loss = F.crossEntropy(m.forward(x) as ct.Tensor, y);
        loss.backward();
        opt.step();
        loss.item();
      }
    };
    const infer = (name: string, shape: number[]) => {
      ct.manualSeed(0);
      const m = ct.models.create(name).eval();
      ct.noGrad(() => (m.forward(ct.randn(shape)) as ct.Tensor).data());
    };
    const runs: [string, () => void][] = [
      ['W1 LeNet training', () => train('lenet5', [1, 32, 32], 16)],
      ['W2 ResNet-20 training', () => train('resnet20', [3, 32, 32], 4)],
      ['ResNet-18 inference', () => infer('resnet18', [1, 3, 224, 224])],
      ['EfficientNet-B0 inference', () => infer('efficientnet_b0', [1, 3, 224, 224])],
      ['MobileNetV2 training step', () => train('mobilenet_v2', [3, 96, 96], 2)],
    ];
    for (const [label, run] of runs) {
      backend.fallbacks.clear();
      run();
      expect(Object.fromEntries(backend.fallbacks), label).toEqual({});
    }
  });

  it('reclaims memory under a small budget (forced collection, or eviction to the host) with identical results', () => {
    registerBackend('wasm-evict', () => createWasmBackend({ heapBudget: 1 << 20, threads: ct.getNumThreads(), collect: false }));
    registerBackend('wasm-collect', () => createWasmBackend({ heapBudget: 4 << 20, threads: ct.getNumThreads() }));
    const work = () => {
      ct.manualSeed(9);
      const model = ct.models.create('lenet5');
      const opt = new ct.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const x = ct.randn([8, 1, 32, 32]);
      const y = ct.randint(0, 10, [8]);
      for (let i = 0; i < 6; i++) {
        opt.zeroGrad();
        F.crossEntropy(model.forward(x), y).backward();
        opt.step();
      }
      return model.forward(x).data();
    };
    setBackend('wasm');
    const reference = work();
    for (const name of ['wasm-evict', 'wasm-collect']) {
      setBackend(name);
      const backend = activeBackend() as WasmBackend;
      const twice = [work(), work()]; // the second run starts from a heap full of the first run's garbage
      setBackend('wasm');
      if (name === 'wasm-evict') expect(backend.heap.stats.evictions).toBeGreaterThan(0);
      else expect(backend.heap.stats.collections).toBeGreaterThan(0);
      expect(twice[0]).toEqual(reference);
      expect(twice[1]).toEqual(reference);
      backend.terminate();
    }
  });
});

describe('the JS ↔ AssemblyScript kernel interface (declared once in src/backend/wasm/interface.json)', () => {
  it('every declared task is called by a JS kernel, every op code names a kernel op, and unknown ids trap', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { TASK, TASK_ARGS, BINARY_CODES, UNARY_CODES } = await import('../src/backend/wasm/generated/interface.js');
    const { BINARY_OPS, UNARY_OPS } = await import('../src/backend/kernels.js');
    const { kernelModule } = await import('../src/backend/wasm/module.js');
    const dir = new URL('../src/backend/wasm/kernels/', import.meta.url);
    const js = readdirSync(dir)
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    expect(Object.keys(TASK).filter((name) => !new RegExp(`ctx\\.task\\(\\s*'${name}'`).test(js))).toEqual([]);
    // Argument layouts: no two fields overlap, f64s sit on 8-byte boundaries, everything fits the 1 KiB block.
    for (const [name, fields] of Object.entries(TASK_ARGS)) {
      let end = 0;
      for (const [field, type, offset, length] of fields) {
        expect(offset, `${name}.${field}`).toBeGreaterThanOrEqual(end);
        if (type === 'f64') expect(offset % 8, `${name}.${field}`).toBe(0);
        end = offset + (type === 'f64' ? 8 : 4 * length);
      }
      expect(end, name).toBeLessThanOrEqual(1024);
    }
    expect(Object.keys(BINARY_CODES).filter((op) => op !== 'copy' && !(BINARY_OPS as readonly string[]).includes(op))).toEqual([]);
    expect(Object.keys(UNARY_CODES).filter((op) => !(UNARY_OPS as readonly string[]).includes(op))).toEqual([]);
    // A task id or op code the module does not know traps instead of running something else.
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536 });
    const run = (
      new WebAssembly.Instance(kernelModule('single'), { env: { memory } }).exports as { runTask: (t: number, a: number, p: number, th: number) => void }
    ).runTask;
    expect(() => run(Object.keys(TASK).length + 1, 1024, 0, 0)).toThrow(/unreachable/);
    const view = new DataView(memory.buffer, 1024, 1024);
    const unaryArgs = { op: Object.keys(UNARY_CODES).length, out: 4096, x: 8192, n: 4, per: 4 }; // an op code past the last
    for (const [field, , offset] of TASK_ARGS.unary) if (field in unaryArgs) view.setInt32(offset, unaryArgs[field as keyof typeof unaryArgs], true);
    expect(() => run(TASK.unary, 1024, 0, 0)).toThrow(/unreachable/);
  });
});
