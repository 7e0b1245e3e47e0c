/**
 * The wasm backend's convolution algorithms besides im2col: Winograd F(2×2, 3×3) and F(4×4, 3×3), and direct
 * kernels for thin layers. Each (forced) against the js reference on random stride-1 geometries (forward, input and
 * weight gradients), PyTorch's conv2d fixtures and the conv gradient checks with each, and the per-layer choice of
 * 'auto' under each float32 precision.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { activeBackend, listBackends, setBackend } from '../src/backend/registry.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';
import type { ConvAlgorithm } from '../src/backend/wasm/kernels/winograd.js';
import { firstMismatch, relativeError, PARITY_RTOL } from './helpers/tolerance.js';
import { loadCases } from './helpers/fixtures.js';
import { runCaseAt } from './helpers/parity_cases.js';
import { checks } from './helpers/gradcheck_cases.js';

const F = ct.nn.functional;
const hasWasm = listBackends().includes('wasm');
const wasm = () => activeBackend() as WasmBackend;

interface Geometry {
  n: number;
  cin: number;
  cout: number;
  h: number;
  w: number;
  pad: number | [number, number];
  bias: boolean;
}

// Odd sizes, sizes below one tile, channel counts off the GEMM's 4/8 blocks, padding 0 (valid), 1, 2 and
// unequal, and sizes with several blocks of tiles and blocks that span images.
const GEOMETRIES: Geometry[] = [
  { n: 2, cin: 3, cout: 5, h: 7, w: 9, pad: 1, bias: true },
  { n: 1, cin: 4, cout: 4, h: 5, w: 5, pad: 0, bias: false },
  { n: 3, cin: 7, cout: 9, h: 11, w: 6, pad: 2, bias: true },
  { n: 1, cin: 8, cout: 12, h: 3, w: 3, pad: 1, bias: true },
  { n: 2, cin: 5, cout: 3, h: 10, w: 13, pad: [0, 2], bias: false },
  { n: 2, cin: 1, cout: 2, h: 2, w: 2, pad: 1, bias: true },
  { n: 6, cin: 16, cout: 16, h: 17, w: 15, pad: 1, bias: false },
  { n: 2, cin: 33, cout: 17, h: 13, w: 15, pad: 1, bias: true },
  { n: 1, cin: 64, cout: 40, h: 14, w: 14, pad: 1, bias: false },
];

/** conv2d output and the gradients of x, w and b (upstream tanh-shaped), on the active backend. */
function convRun(g: Geometry, algorithm: ConvAlgorithm | null): Float32Array[] {
  ct.manualSeed(11);
  const x = ct.randn([g.n, g.cin, g.h, g.w], { requiresGrad: true });
  const w = ct.randn([g.cout, g.cin, 3, 3]).mul(0.3).detach().requiresGrad_();
  const b = g.bias ? ct.randn([g.cout], { requiresGrad: true }) : null;
  if (algorithm) wasm().convAlgorithm = algorithm;
  const y = F.conv2d(x, w, b, { padding: g.pad });
  y.backward(ct.randn(y.shape).tanh());
  return [y, x.grad!, w.grad!, ...(b ? [b.grad!] : [])].map((t) => Float32Array.from(t.data() as Float32Array));
}

describe.runIf(hasWasm)('conv algorithms (wasm): Winograd and direct', () => {
  beforeAll(() => setBackend('wasm'));
  afterEach(() => {
    wasm().convAlgorithm = 'auto';
    ct.setFloat32MatmulPrecision('highest');
  });
  afterAll(() => setBackend('js'));

  const TOL: Record<string, number> = { im2col: 1e-4, winograd2: 1e-4, winograd4: 1e-3 };
  for (const algorithm of ['im2col', 'winograd2', 'winograd4'] as const) {
    it(`${algorithm}: forward, input and weight gradients match js on random 3×3 stride-1 geometries`, () => {
      for (const g of GEOMETRIES) {
        setBackend('js');
        const ref = convRun(g, null);
        setBackend('wasm');
        const got = convRun(g, algorithm);
        const im2col = convRun(g, 'im2col');
        ref.forEach((r, i) => {
          const label = `${algorithm} ${JSON.stringify(g)} output ${i}`;
          const m = firstMismatch(got[i], r, TOL[algorithm]);
          if (m) throw new Error(`${label}: element ${m.index} is ${m.actual}, js ${m.expected}`);
          // Norm-wise: F(4×4)'s larger error (bench/NOTES.md) stays well inside 1e-5.
          expect(relativeError(got[i], r), label).toBeLessThan(algorithm === 'winograd4' ? 1e-5 : 1e-6);
        });
        // The forced path really ran: Winograd rounds differently from im2col.
        if (algorithm !== 'im2col' && g.cin * g.h * g.w > 64) expect(got[0], `${algorithm} ${JSON.stringify(g)}`).not.toEqual(im2col[0]);
      }
    });
  }

  it('direct (thin layers): forward, input and weight gradients match js on stride-1 geometries of any kernel size', () => {
    const geometries: [number[], number[], number | [number, number], boolean][] = [
      [[2, 1, 32, 32], [6, 1, 5, 5], 0, true], // LeNet-5's first conv
      [[3, 6, 14, 13], [16, 6, 5, 5], 0, true],
      [[2, 1, 28, 28], [20, 1, 5, 5], 2, false],
      [[2, 3, 7, 9], [5, 3, 3, 3], 1, true],
      [[1, 4, 5, 5], [7, 4, 3, 3], 2, false],
      [[2, 2, 11, 6], [3, 2, 5, 3], [2, 1], true],
      [[1, 5, 3, 3], [9, 5, 1, 1], 0, true],
      [[2, 16, 5, 5], [12, 16, 5, 5], 1, true], // 3×3 output
      [[1, 3, 2, 3], [2, 3, 2, 2], 1, false],
    ];
    const run = (xs: number[], ws: number[], pad: number | [number, number], bias: boolean, algorithm: ConvAlgorithm | null) => {
      ct.manualSeed(4);
      const x = ct.randn(xs, { requiresGrad: true });
      const w = ct.randn(ws, { requiresGrad: true });
      const b = bias ? ct.randn([ws[0]], { requiresGrad: true }) : null;
      if (algorithm) wasm().convAlgorithm = algorithm;
      const y = F.conv2d(x, w, b, { padding: pad });
      y.backward(ct.randn(y.shape));
      return [y, x.grad!, w.grad!, ...(b ? [b.grad!] : [])].map((t) => Float32Array.from(t.data() as Float32Array));
    };
    for (const [xs, ws, pad, bias] of geometries) {
      setBackend('js');
      const ref = run(xs, ws, pad, bias, null);
      setBackend('wasm');
      const got = run(xs, ws, pad, bias, 'direct');
      const im2col = run(xs, ws, pad, bias, 'im2col');
      ref.forEach((r, i) => {
        const m = firstMismatch(got[i], r, 1e-4);
        if (m) throw new Error(`direct ${JSON.stringify([xs, ws, pad])} output ${i}: element ${m.index} is ${m.actual}, js ${m.expected}`);
      });
      expect(got[2], 'the direct weight gradient ran').not.toEqual(im2col[2]);
    }
    // What 'direct' cannot run (stride 2, dilation, groups, padding beyond the kernel) goes to im2col.
    ct.manualSeed(5);
    const x = ct.randn([1, 4, 9, 9]);
    const w = ct.randn([4, 4, 3, 3]);
    for (const opts of [{ stride: 2 }, { dilation: 2 }, { padding: 3 }] as ct.nn.functional.Conv2dOptions[]) {
      wasm().convAlgorithm = 'direct';
      const a = F.conv2d(x, w, null, opts).data();
      wasm().convAlgorithm = 'im2col';
      expect(a).toEqual(F.conv2d(x, w, null, opts).data());
    }
  });

  const convCases = loadCases().filter((c) => c.op === 'conv2d');
  it('PyTorch conv2d fixtures: im2col, direct and F(2×2) outputs and input gradients within the parity tolerance (1e-5)', () => {
    expect(convCases.length).toBeGreaterThan(3);
    // The weight gradient sums tiles of transformed values whose combination cancels: F(2×2) and F(4×4) meet 1e-4
    // there, not 1e-5, which is why 'auto' keeps weight gradients on im2col at 'highest' precision.
    const rtol = (algorithm: string) => (what: string) =>
      algorithm === 'im2col' || (algorithm === 'winograd2' && !what.endsWith('grad of input 1')) ? PARITY_RTOL : 1e-4;
    for (const algorithm of ['im2col', 'winograd2', 'winograd4', 'direct'] as const) {
      wasm().convAlgorithm = algorithm;
      for (const c of convCases) runCaseAt(c, rtol(algorithm === 'direct' ? 'im2col' : algorithm));
    }
    // The measured misses of 1e-5 that decide what 'auto' may use at 'highest' precision.
    for (const [algorithm, what] of [
      ['winograd4', 'output'],
      ['winograd2', 'grad of input 1'],
    ] as const) {
      wasm().convAlgorithm = algorithm;
      expect(() => convCases.forEach((c) => runCaseAt(c, (w) => (w.endsWith(what) ? PARITY_RTOL : 1e-4))), `${algorithm} ${what}`).toThrow(/rtol 0\.00001/);
    }
  });

  it('the conv gradient checks pass with each algorithm', () => {
    const convChecks = checks.filter((c) => c.covers.includes('conv2d'));
    for (const algorithm of ['im2col', 'winograd2', 'winograd4', 'direct'] as const) {
      wasm().convAlgorithm = algorithm;
      for (const c of convChecks) expect(ct.gradcheck(c.fn, c.inputs()), `${algorithm} ${c.name}`).toBe(true);
    }
  });

  it("'auto' picks per layer: F(2×2) at 'highest' precision, F(4×4) at 'high', im2col where Winograd does not pay", () => {
    const same = (a: Float32Array[], b: Float32Array[]) => a.every((v, i) => v.length === b[i].length && v.every((e, j) => Object.is(e, b[i][j])));
    const resnet: Geometry = { n: 4, cin: 32, cout: 32, h: 16, w: 16, pad: 1, bias: false };
    const forced = (a: ConvAlgorithm) => convRun(resnet, a);
    // At 'highest', forward and input gradient by F(2×2), the weight gradient by im2col.
    const auto = convRun(resnet, 'auto');
    const f2 = forced('winograd2');
    const im2col = forced('im2col');
    expect(same(auto.slice(0, 2), f2.slice(0, 2))).toBe(true);
    expect(same(auto.slice(2), im2col.slice(2))).toBe(true);
    ct.setFloat32MatmulPrecision('high');
    expect(ct.getFloat32MatmulPrecision()).toBe('high');
    expect(same(convRun(resnet, 'auto'), forced('winograd4'))).toBe(true);
    ct.setFloat32MatmulPrecision('highest');
    // ResNet-18's last stage at batch 1: a 7×7 map of 512 channels, where transforming the weights costs more.
    ct.manualSeed(3);
    const x = ct.randn([1, 512, 7, 7]);
    const w = ct.randn([512, 512, 3, 3]);
    const run = (a: ConvAlgorithm) => {
      wasm().convAlgorithm = a;
      return ct.noGrad(() => F.conv2d(x, w, null, { padding: 1 }).data());
    };
    expect(run('auto')).toEqual(run('im2col'));
    expect(run('auto')).not.toEqual(run('winograd2'));
    // Layers Winograd cannot run (stride 2, 5×5, dilated, grouped) use im2col whatever is forced.
    const other = (opts: ct.nn.functional.Conv2dOptions, k: number, groups = 1) => {
      const xi = ct.randn([2, 4, 9, 9]);
      const wi = ct.randn([4, 4 / groups, k, k]);
      wasm().convAlgorithm = 'winograd4';
      const a = F.conv2d(xi, wi, null, { ...opts, groups }).data();
      wasm().convAlgorithm = 'im2col';
      return expect(a).toEqual(F.conv2d(xi, wi, null, { ...opts, groups }).data());
    };
    other({ stride: 2, padding: 1 }, 3);
    other({ padding: 2 }, 5);
    other({ padding: 2, dilation: 2 }, 3);
    other({ padding: 1 }, 3, 2);
  });

  it('bad settings are refused with the setting and the choices named', () => {
    expect(() => createWasmBackend({ convAlgorithm: 'fast' as ConvAlgorithm })).toThrow(
      "createWasmBackend: convAlgorithm: expected one of auto, im2col, winograd2, winograd4, direct, got 'fast'",
    );
    expect(() => {
      wasm().convAlgorithm = 'winograd6' as ConvAlgorithm;
    }).toThrow("wasm backend: convAlgorithm: expected one of auto, im2col, winograd2, winograd4, direct, got 'winograd6'");
    expect(() => ct.setFloat32MatmulPrecision('low' as ct.Float32Precision)).toThrow(
      "setFloat32MatmulPrecision: expected 'highest', 'high' or 'medium', got 'low'",
    );
  });
});
