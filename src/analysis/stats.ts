/**
 * Activation statistics for diagnosing initialization (the lectures' experiment): per layer, the mean, standard
 * deviation, fraction of exact zeros and a histogram of the outputs — and of their gradients, optionally.
 */
import { enableGrad, noGrad } from '../autograd/grad_mode.js';
import * as nn from '../nn/index.js';
import { withForwardTracer } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';

export interface Histogram {
  /** bins + 1 edges from min to max. */
  edges: number[];
  counts: number[];
}

export interface TensorStats {
  mean: number;
  std: number;
  zeroFraction: number;
  min: number;
  max: number;
  histogram: Histogram;
}

export interface LayerStats {
  name: string;
  type: string;
  activation: TensorStats;
  gradient?: TensorStats;
}

export function tensorStats(values: ArrayLike<number>, bins = 30, range?: [number, number]): TensorStats {
  let sum = 0,
    sq = 0,
    zeros = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    sum += v;
    sq += v * v;
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = Math.max(values.length, 1);
  const mean = sum / n;
  const [lo, hi] = range ?? [min, max > min ? max : min + 1];
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor(((values[i] - lo) / (hi - lo)) * bins);
    if (b >= 0 && b <= bins) counts[Math.min(b, bins - 1)]++;
  }
  return {
    mean,
    std: Math.sqrt(Math.max(0, sq / n - mean * mean)),
    zeroFraction: zeros / n,
    min,
    max,
    histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins), counts },
  };
}

export interface ActivationStatsOptions {
  /** Also collect gradients of a loss (default: the sum of the output) w.r.t. each layer's output. */
  gradients?: boolean;
  loss?: (output: Tensor) => Tensor;
  bins?: number;
  /** Which modules to report: leaves (default) or only those of the given types, e.g. [nn.Tanh, nn.ReLU]. */
  types?: nn.ModuleClass[];
}

/**
 * Runs `model` on `input` and returns statistics of every leaf module's output (optionally of its gradient).
 * Example: analysis.activationStats(mlp, randn(16, 4096), { types: [nn.Tanh] })
 */
export function activationStats(model: nn.AnyModule, input: Tensor, opts: ActivationStatsOptions = {}): LayerStats[] {
  const names = new Map<nn.AnyModule, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name);
  const recorded: { module: nn.AnyModule; out: Tensor }[] = [];
  const keep = (m: nn.AnyModule) => (opts.types ? opts.types.some((t) => m instanceof t) : [...m.children()].length === 0);
  const run = () =>
    withForwardTracer(
      {
        enter() {},
        exit(m, _inputs, output) {
          if (m === model || !(output instanceof Tensor) || !keep(m)) return;
          if (opts.gradients && output.requiresGrad) output.retainGrad();
          recorded.push({ module: m, out: output });
        },
      },
      () => model.forward(input) as Tensor,
    );
  let out: Tensor;
  if (opts.gradients) {
    out = enableGrad(run);
    (opts.loss ? opts.loss(out) : out.sum()).backward();
  } else out = noGrad(run);
  const bins = opts.bins ?? 30;
  return recorded.map(({ module, out: o }) => ({
    name: names.get(module) ?? module.typeName,
    type: module.typeName,
    activation: tensorStats(o.data(), bins),
    gradient: opts.gradients && o.grad ? tensorStats(o.grad.data(), bins) : undefined,
  }));
}
