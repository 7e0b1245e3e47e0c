/** Receptive fields: the closed form for a stack of layers, and per layer of a model (via summary). */
import type { AnyModule } from '../nn/module.js';
import { summary } from './summary.js';

export interface RFLayer {
  kernel: number;
  stride?: number;
  dilation?: number;
}

/**
 * Receptive field of one output of a stack of layers w.r.t. the input:
 * RF = 1 + Σ_i (D_i·(K_i − 1)) · Π_{j<i} S_j — the lectures' 1 + L·(K − 1) for L stride-1 layers of kernel K.
 */
export function receptiveFieldOf(layers: readonly RFLayer[]): number {
  let rf = 1;
  let jump = 1;
  for (const l of layers) {
    rf += (l.dilation ?? 1) * (l.kernel - 1) * jump;
    jump *= l.stride ?? 1;
  }
  return rf;
}

/** The receptive field (in input pixels) after every layer of a model, from a traced forward pass. */
export function receptiveFields(model: AnyModule, inputShape: readonly number[]): { name: string; type: string; receptiveField: number }[] {
  return summary(model, inputShape, { rows: 'all' })
    .layers.filter((r) => !r.group)
    .map((r) => ({ name: r.name, type: r.type, receptiveField: r.receptiveField }));
}
