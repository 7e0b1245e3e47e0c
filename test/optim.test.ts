/**
 * Optimizers and LR schedules against PyTorch (test/fixtures/optim.json from scripts/gen_fixtures.py):
 * a small CNN's losses at each of 5 steps and its parameters after them (relative error ≤ 1e-5; for parameters the
 * norm-wise ‖Δ‖/‖p‖ of each tensor), and every scheduler's lr sequence over 100 steps (≤ 1e-7).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { nn, optim } from '../src/index.js';
import { decode, toTensor, type EncodedTensor } from './helpers/fixtures.js';
import { PARITY_RTOL, relativeError } from './helpers/tolerance.js';

interface OptimCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups: [string, Record<string, unknown>][] | null;
  losses: number[];
  final: Record<string, EncodedTensor>;
}
interface SchedCase {
  name: string;
  lrs: number[][];
  momentums: (number | null)[][];
  metrics: number[] | null;
}
const fx = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/optim.json', import.meta.url)), 'utf8'));

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));

export function smallCnn(): nn.Sequential {
  return new nn.Sequential(new nn.Conv2d(1, 3, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(48, 5));
}

const OPTIMIZERS: Record<string, new (p: any, o: any) => optim.Optimizer> = {
  SGD: optim.SGD,
  RMSprop: optim.RMSprop,
  Adam: optim.Adam,
  AdamW: optim.AdamW,
  Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta,
};

describe('optimizers match PyTorch after 5 steps', () => {
  for (const c of fx.optimizers as OptimCase[]) {
    it(c.name, () => {
      const model = smallCnn();
      model.loadStateDict(Object.fromEntries(Object.entries(fx.init as Record<string, EncodedTensor>).map(([k, v]) => [k, toTensor(v)])));
      const params = c.groups
        ? c.groups.map(([prefix, g]) => ({
            params: model
              .namedParameters()
              .filter(([n]) => n.startsWith(prefix))
              .map(([, p]) => p),
            ...camelKeys(g),
          }))
        : model.parameters();
      const opt = new OPTIMIZERS[c.optimizer](params, camelKeys(c.options));
      const x = toTensor(fx.input);
      const y = toTensor(fx.labels);
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      losses.forEach((l, i) => expect(Math.abs(l - c.losses[i]) / Math.abs(c.losses[i]), `loss at step ${i}`).toBeLessThan(PARITY_RTOL));
      const sd = model.stateDict();
      for (const [k, v] of Object.entries(c.final)) {
        const e = decode(v);
        expect(sd[k].shape, k).toEqual(e.shape);
        expect(relativeError(sd[k].data(), e.data), `${c.name} ${k}: ‖Δ‖/‖p‖`).toBeLessThan(PARITY_RTOL);
      }
    });
  }
});

type AnySched = { step(metric?: number): void };
const SCHEDULERS: Record<string, (o: optim.Optimizer) => AnySched> = {
  StepLR: (o) => new optim.StepLR(o, 30, 0.1),
  'StepLR-two-groups': (o) => new optim.StepLR(o, 7, 0.5),
  MultiStepLR: (o) => new optim.MultiStepLR(o, [30, 60, 90], 0.1),
  ExponentialLR: (o) => new optim.ExponentialLR(o, 0.95),
  CosineAnnealingLR: (o) => new optim.CosineAnnealingLR(o, 100),
  'CosineAnnealingLR-periodic': (o) => new optim.CosineAnnealingLR(o, 20, 0.001),
  LinearLR: (o) => new optim.LinearLR(o, 0.1, 1, 10),
  ConstantLR: (o) => new optim.ConstantLR(o, 0.5, 4),
  PolynomialLR: (o) => new optim.PolynomialLR(o, 50, 2),
  InverseSqrtLR: (o) => new optim.InverseSqrtLR(o),
  MultiplicativeLR: (o) => new optim.MultiplicativeLR(o, () => 0.97),
  'SequentialLR-warmup-cosine': (o) => new optim.SequentialLR(o, [new optim.LinearLR(o, 0.1, 1, 5), new optim.CosineAnnealingLR(o, 95)], [5]),
  'SequentialLR-warmup-multistep': (o) => new optim.SequentialLR(o, [new optim.LinearLR(o, 0.25, 1, 10), new optim.MultiStepLR(o, [30, 60], 0.1)], [10]),
  ChainedScheduler: (o) => new optim.ChainedScheduler([new optim.LinearLR(o, 0.2, 1, 10), new optim.ExponentialLR(o, 0.98)]),
  OneCycleLR: (o) => new optim.OneCycleLR(o, 0.5, { totalSteps: 100 }),
  'OneCycleLR-three-phase-linear-adam': (o) => new optim.OneCycleLR(o, 0.01, { totalSteps: 100, threePhase: true, annealStrategy: 'linear', pctStart: 0.25 }),
  ReduceLROnPlateau: (o) => new optim.ReduceLROnPlateau(o, { mode: 'min', factor: 0.5, patience: 3, cooldown: 2, threshold: 0.01 }),
  'ReduceLROnPlateau-max-abs': (o) =>
    new optim.ReduceLROnPlateau(o, { mode: 'max', factor: 0.3, patience: 2, threshold: 0.001, thresholdMode: 'abs', minLr: 0.002 }),
};

function makeOptimizer(name: string, lrs: number[]): optim.Optimizer {
  const groups = lrs.map((lr) => ({ params: [ct.zeros([1], { requiresGrad: true })], lr }));
  if (name.startsWith('OneCycleLR-three')) return new optim.Adam(groups, { lr: 0.001 });
  if (name === 'OneCycleLR') return new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
  return new optim.SGD(groups, { lr: lrs[0] });
}

const closeTo = (a: number, e: number) => Math.abs(a - e) <= 1e-7 * Math.max(Math.abs(e), 1e-12);

describe('LR schedules match PyTorch over 100 steps', () => {
  it('covers every scheduler fixture', () => {
    expect((fx.schedulers as SchedCase[]).map((c) => c.name).filter((n) => !SCHEDULERS[n])).toEqual([]);
  });
  for (const c of fx.schedulers as SchedCase[]) {
    it(c.name, () => {
      const opt = makeOptimizer(
        c.name,
        c.lrs[0].map((_, i) => (c.name === 'StepLR-two-groups' ? [0.1, 0.01][i] : 0.1)),
      );
      const s = SCHEDULERS[c.name](opt);
      const momentum = () => opt.paramGroups.map((g: any) => (g.betas ? g.betas[0] : (g.momentum ?? null)));
      const lrs = [opt.paramGroups.map((g) => g.lr)];
      const moms = [momentum()];
      for (let i = 0; i < 100; i++) {
        opt.step();
        s.step(c.metrics ? c.metrics[i] : undefined);
        lrs.push(opt.paramGroups.map((g) => g.lr));
        moms.push(momentum());
      }
      lrs.forEach((row, i) => row.forEach((lr, j) => expect(closeTo(lr, c.lrs[i][j]), `${c.name} lr at step ${i}: ${lr} vs ${c.lrs[i][j]}`).toBe(true)));
      if (c.name.startsWith('OneCycle')) {
        moms.forEach((row, i) => row.forEach((m, j) => expect(closeTo(m as number, c.momentums[i][j] as number), `momentum at step ${i}`).toBe(true)));
      }
    });
  }
});
