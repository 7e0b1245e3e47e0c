/** Optimizer mechanics: errors, groups, zeroGrad, exact resume from state dicts, clipping and penalties. */
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';
import { nn, optim } from '../src/index.js';

const F = nn.functional;

function model(): nn.Sequential {
  return new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 6 * 6, 3));
}

function trainSteps(m: nn.Sequential, opt: optim.Optimizer, sched: optim.LRScheduler | null, n: number, x: ct.Tensor, y: ct.Tensor): void {
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    F.crossEntropy(m.forward(x), y).backward();
    opt.step();
    sched?.step();
  }
}

describe('optimizer errors', () => {
  it('rejects a non-finite or negative learning rate', () => {
    const p = [ct.zeros([2], { requiresGrad: true })];
    expect(() => new optim.SGD(p, { lr: NaN })).toThrow('SGD: invalid learning rate NaN in defaults (expected a finite number >= 0)');
    expect(() => new optim.Adam(p, { lr: Infinity })).toThrow(/Adam: invalid learning rate Infinity/);
    expect(() => new optim.SGD([{ params: p, lr: -1 }], { lr: 0.1 })).toThrow(/invalid learning rate -1 in parameter group 0/);
    const opt = new optim.SGD(p, { lr: 0.1 });
    opt.paramGroups[0].lr = NaN;
    p[0].grad = ct.ones(2);
    expect(() => opt.step()).toThrow(/invalid learning rate NaN/);
  });
  it('rejects a parameter given twice, in one group or across groups', () => {
    const a = ct.zeros([2], { requiresGrad: true });
    const b = ct.zeros([2], { requiresGrad: true });
    expect(() => new optim.SGD([a, a], { lr: 0.1 })).toThrow(
      'SGD: parameter group 0 item 1 is a parameter given twice (each parameter may appear in only one group, once)',
    );
    expect(() => new optim.Adam([{ params: [a] }, { params: [b, a] }])).toThrow(/Adam: parameter group 1 item 1 is a parameter given twice/);
  });
  it('rejects bad hyperparameters and non-parameters', () => {
    const p = [ct.zeros([2], { requiresGrad: true })];
    expect(() => new optim.Adam(p, { betas: [1.2, 0.9] })).toThrow(/Adam: invalid betas \[1.2,0.9\]/);
    expect(() => new optim.SGD(p, { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum/);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(/SGD: got an empty parameter list/);
    expect(() => new optim.SGD([p[0].mul(2)], { lr: 0.1 })).toThrow(/not a leaf tensor/);
    expect(() => new optim.SGD([{ params: [ct.arange(3)] }], { lr: 0.1 })).toThrow(/only float32 tensors can be optimized/);
  });
});

describe('optimizer state', () => {
  it('zeroGrad clears gradients; parameters without gradients are skipped', () => {
    const m = model();
    const opt = new optim.Adam(m.parameters(), { lr: 0.01 });
    F.crossEntropy(m.forward(ct.randn(2, 1, 8, 8)), ct.randint(0, 3, [2])).backward();
    expect(m.parameters().every((p) => p.grad !== null)).toBe(true);
    opt.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    const before = m.stateDict()['0.weight'].data();
    opt.step();
    expect(m.stateDict()['0.weight'].data()).toEqual(before);
  });
  const makers: ((p: nn.Parameter[]) => optim.Optimizer)[] = [
    (p: nn.Parameter[]) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
    (p: nn.Parameter[]) => new optim.Adam(p, { lr: 0.01, amsgrad: true }),
    (p: nn.Parameter[]) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 }),
  ];
  for (const make of makers) {
    it(`resumes exactly from model + optimizer + scheduler state (${make.toString().match(/optim\.(\w+)/)![1]})`, () => {
      ct.manualSeed(11);
      const x = ct.randn(4, 1, 8, 8);
      const y = ct.randint(0, 3, [4]);
      const init = model().stateDict();
      // Uninterrupted: 6 steps.
      const a = model();
      a.loadStateDict(init);
      const optA = make(a.parameters());
      trainSteps(a, optA, new optim.StepLR(optA, 2, 0.5), 6, x, y);
      // Interrupted after 3 steps: snapshot, rebuild everything, load, continue.
      const b = model();
      b.loadStateDict(init);
      const optB = make(b.parameters());
      const schedB = new optim.StepLR(optB, 2, 0.5);
      trainSteps(b, optB, schedB, 3, x, y);
      const snapshot = {
        model: Object.fromEntries(Object.entries(b.stateDict()).map(([k, v]) => [k, v.clone()])),
        optimizer: optB.stateDict(),
        scheduler: schedB.stateDict(),
      };
      const c = model();
      c.loadStateDict(snapshot.model);
      const optC = make(c.parameters());
      const schedC = new optim.StepLR(optC, 2, 0.5);
      optC.loadStateDict(snapshot.optimizer);
      schedC.loadStateDict(snapshot.scheduler);
      trainSteps(c, optC, schedC, 3, x, y);
      const sa = a.stateDict();
      const sc = c.stateDict();
      for (const k of Object.keys(sa)) expect(sc[k].data(), k).toEqual(sa[k].data());
      expect(optC.paramGroups[0].lr).toBe(optA.paramGroups[0].lr);
    });
  }
  it('loadStateDict refuses a state from a different set of parameters', () => {
    const opt = new optim.SGD(model().parameters(), { lr: 0.1 });
    const other = new optim.SGD([ct.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => other.loadStateDict(opt.stateDict())).toThrow(/parameter group 0 has 4 parameters in the state but 1 here/);
  });
});

describe('clipping and penalties', () => {
  it('clipGradNorm scales all gradients to the max norm and returns the norm before clipping', () => {
    const a = ct.tensor([3, 0], undefined, { requiresGrad: true });
    const b = ct.tensor([0, 4], undefined, { requiresGrad: true });
    a.grad = ct.tensor([3, 0]);
    b.grad = ct.tensor([0, 4]);
    expect(optim.clipGradNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect((a.grad.toArray() as number[])[0]).toBeCloseTo(0.6, 5);
    expect((b.grad.toArray() as number[])[1]).toBeCloseTo(0.8, 5);
    expect(optim.clipGradNorm([a, b], 10)).toBeCloseTo(1, 5);
    expect((a.grad.toArray() as number[])[0]).toBeCloseTo(0.6, 5);
    a.grad = ct.tensor([-3, 2]);
    expect(optim.clipGradNorm([a], 1, Infinity)).toBe(3);
    a.grad = ct.tensor([NaN, 1]);
    expect(() => optim.clipGradNorm([a], 1, 2, { errorIfNonfinite: true })).toThrow(/non-finite/);
  });
  it('clipGradValue clamps elementwise', () => {
    const a = ct.zeros([3], { requiresGrad: true });
    a.grad = ct.tensor([-5, 0.5, 7]);
    optim.clipGradValue([a], 1);
    expect(a.grad.toArray()).toEqual([-1, 0.5, 1]);
  });
  it('L2 and L1 penalties are differentiable sums over the selected parameters', () => {
    const w = ct.tensor([1, -2, 3], undefined, { requiresGrad: true });
    const l2 = optim.l2Penalty([w]);
    expect(l2.item()).toBe(14);
    l2.mul(0.5).backward();
    expect(w.grad!.toArray()).toEqual([1, -2, 3]);
    expect(optim.l1Penalty([w, ct.tensor([-1], undefined, { requiresGrad: true })]).item()).toBe(7);
  });
});

describe('schedulers', () => {
  it('MultiStepLR reproduces the ResNet recipe: ×0.1 at epochs 30, 60, 90', () => {
    const opt = new optim.SGD([ct.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const s = new optim.MultiStepLR(opt, [30, 60, 90], 0.1);
    const lrs: number[] = [];
    for (let e = 0; e < 100; e++) {
      lrs.push(s.getLastLr()[0]);
      opt.step();
      s.step();
    }
    expect(lrs[29]).toBeCloseTo(0.1, 12);
    expect(lrs[30]).toBeCloseTo(0.01, 12);
    expect(lrs[60]).toBeCloseTo(0.001, 12);
    expect(lrs[95]).toBeCloseTo(0.0001, 12);
  });
  it('CosineAnnealingLR follows ½α₀(1 + cos(tπ/T))', () => {
    const opt = new optim.SGD([ct.zeros([1], { requiresGrad: true })], { lr: 0.2 });
    const s = new optim.CosineAnnealingLR(opt, 50);
    for (let t = 1; t <= 50; t++) {
      s.step();
      expect(s.getLastLr()[0]).toBeCloseTo(0.5 * 0.2 * (1 + Math.cos((t * Math.PI) / 50)), 10);
    }
  });
  it('validates arguments', () => {
    const opt = new optim.SGD([ct.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    expect(() => new optim.StepLR(opt, 0)).toThrow(/StepLR: stepSize must be a positive integer, got 0/);
    expect(() => new optim.OneCycleLR(opt, 1)).toThrow(/give totalSteps, or epochs and stepsPerEpoch/);
    expect(() => new optim.ReduceLROnPlateau(opt, { factor: 1.5 })).toThrow(/factor must be < 1/);
    expect(() => new optim.SequentialLR(opt, [new optim.LinearLR(opt)], [3])).toThrow(/expected 0 milestones for 1 schedulers/);
  });

  it('step({ guard }) applies the step when the guard is finite and changes nothing (state included) when it is not', () => {
    const run = (guards: number[]) => {
      ct.manualSeed(0);
      const w = ct.randn([4], { requiresGrad: true });
      const opt = new ct.optim.Adam([w], { lr: 0.1 });
      for (const g of guards) {
        opt.zeroGrad();
        w.mul(w).sum().backward();
        opt.step({ guard: ct.tensor([g]) });
      }
      const state = Object.values(opt.stateDict().state).map((st) =>
        Object.fromEntries(Object.entries(st).map(([k, v]) => [k, v instanceof ct.Tensor ? Array.from(v.data()) : v])),
      );
      return { w: Array.from(w.data()), state };
    };
    const clean = run([1, 2]);
    expect(run([1, NaN, 2])).toEqual(clean);
    expect(run([Infinity, 1, 2])).toEqual(clean);
    expect(run([1, 2]).w).not.toEqual(run([1]).w);
    expect(() => new ct.optim.SGD([ct.randn([2], { requiresGrad: true })], { lr: 1 }).step({ guard: ct.ones([2]) })).toThrow(
      /guard must be a one-element tensor/,
    );
  });
});
