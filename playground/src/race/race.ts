/**
 * The optimizers race (ConvNetJS's "trainers" demo, and the lectures' trajectory pictures): the library's eight
 * optimizers, each with its usual learning rate, on the same network and batches, and on 2-D loss surfaces — an
 * ill-conditioned quadratic, Rosenbrock's valley and a saddle. Pure library code, tested in Node.
 */
import { noGrad, tensor, nn, optim, type Tensor } from '../../../src/index.js';

export interface Racer {
  id: string;
  label: string;
  color: string;
  /** Learning rates that suit it (chosen by sweeping 1e-4…10 for 300 steps): on the MNIST network and each surface. */
  lr: { network: number } & Record<SurfaceName, number>;
  make(params: nn.Parameter[], lr: number): optim.Optimizer<{ lr: number }>;
}

export const RACERS: readonly Racer[] = [
  {
    id: 'sgd',
    label: 'SGD',
    color: '#1f77b4',
    lr: { network: 0.05, quadratic: 0.018, rosenbrock: 0.001, saddle: 0.01 },
    make: (p, lr) => new optim.SGD(p, { lr }),
  },
  {
    id: 'momentum',
    label: 'SGD + momentum',
    color: '#d62728',
    lr: { network: 0.01, quadratic: 0.003, rosenbrock: 0.001, saddle: 0.003 },
    make: (p, lr) => new optim.SGD(p, { lr, momentum: 0.9 }),
  },
  {
    id: 'nesterov',
    label: 'Nesterov',
    color: '#2ca02c',
    lr: { network: 0.01, quadratic: 0.003, rosenbrock: 0.001, saddle: 0.003 },
    make: (p, lr) => new optim.SGD(p, { lr, momentum: 0.9, nesterov: true }),
  },
  {
    id: 'rmsprop',
    label: 'RMSprop',
    color: '#ff7f0e',
    lr: { network: 0.001, quadratic: 0.03, rosenbrock: 0.03, saddle: 0.01 },
    make: (p, lr) => new optim.RMSprop(p, { lr }),
  },
  {
    id: 'adagrad',
    label: 'Adagrad',
    color: '#9467bd',
    lr: { network: 0.01, quadratic: 0.3, rosenbrock: 0.3, saddle: 0.1 },
    make: (p, lr) => new optim.Adagrad(p, { lr }),
  },
  {
    id: 'adadelta',
    label: 'Adadelta',
    color: '#8c564b',
    lr: { network: 1, quadratic: 3, rosenbrock: 3, saddle: 3 },
    make: (p, lr) => new optim.Adadelta(p, { lr }),
  },
  {
    id: 'adam',
    label: 'Adam',
    color: '#e377c2',
    lr: { network: 0.001, quadratic: 0.1, rosenbrock: 0.1, saddle: 0.03 },
    make: (p, lr) => new optim.Adam(p, { lr }),
  },
  {
    id: 'adamw',
    label: 'AdamW',
    color: '#7f7f7f',
    lr: { network: 0.001, quadratic: 0.1, rosenbrock: 0.1, saddle: 0.03 },
    make: (p, lr) => new optim.AdamW(p, { lr, weightDecay: 0.01 }),
  },
];

export const SURFACE_NAMES = ['quadratic', 'rosenbrock', 'saddle'] as const;
export type SurfaceName = (typeof SURFACE_NAMES)[number];

export interface Surface {
  title: string;
  start: [number, number];
  minimum: [number, number] | null;
  /** The window drawn. */
  view: { x: [number, number]; y: [number, number] };
  /** The loss at p = [x, y] (differentiable, through the library's ops). */
  loss(p: Tensor): Tensor;
  /** The same in plain numbers, for the contour picture. */
  value(x: number, y: number): number;
}

export const SURFACES: Record<SurfaceName, Surface> = {
  // Curvature 1 along x and 100 across: a learning rate safe across the valley crawls along it.
  quadratic: {
    title: 'ill-conditioned quadratic (x² + 100 y²) / 2',
    start: [-4, 0.8],
    minimum: [0, 0],
    view: { x: [-4.5, 1.5], y: [-1.2, 1.2] },
    loss: (p) =>
      p
        .square()
        .mul(tensor([0.5, 50]))
        .sum(),
    value: (x, y) => 0.5 * x * x + 50 * y * y,
  },
  // (1 − x)² + 100 (y − x²)²: a curved, flat-bottomed valley to the minimum at (1, 1).
  rosenbrock: {
    title: 'Rosenbrock (1 − x)² + 100 (y − x²)²',
    start: [-1.5, 2],
    minimum: [1, 1],
    view: { x: [-2, 2], y: [-1, 3] },
    loss: (p) => {
      const x = p.narrow(0, 0, 1);
      const y = p.narrow(0, 1, 1);
      return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
    },
    value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  },
  // x² − y² + y⁴/2 ... a saddle at the origin between minima at y = ±1; the start sits just off the ridge.
  saddle: {
    title: 'saddle x²/2 − y²/2 + y⁴/4 (start on the ridge)',
    start: [2, 0.001],
    minimum: null,
    view: { x: [-1, 2.5], y: [-1.6, 1.6] },
    loss: (p) => {
      const x = p.narrow(0, 0, 1);
      const y = p.narrow(0, 1, 1);
      return x.square().mul(0.5).sub(y.square().mul(0.5)).add(y.pow(4).mul(0.25)).sum();
    },
    value: (x, y) => 0.5 * x * x - 0.5 * y * y + 0.25 * y ** 4,
  },
};

/** One optimizer's path on a surface: the start, then [x, y] after each step (stops early if it leaves the plane). */
export function surfacePath(surface: SurfaceName, racer: Racer, lr: number, steps: number): [number, number][] {
  const s = SURFACES[surface];
  const p = new nn.Parameter(tensor(s.start));
  const opt = racer.make([p], lr);
  const path: [number, number][] = [[...s.start]];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    s.loss(p).backward();
    opt.step();
    const [x, y] = noGrad(() => p.data());
    if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 1e6 || Math.abs(y) > 1e6) break; // diverged
    path.push([x, y]);
  }
  return path;
}
