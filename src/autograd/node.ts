/** One recorded op in the graph: its inputs and the closure computing their vector-Jacobian products. */
import type { Tensor } from '../tensor/tensor.js';

export type VjpFn = (dy: Tensor) => readonly (Tensor | null)[];

export class GradNode {
  constructor(
    readonly op: string,
    public inputs: readonly Tensor[],
    public vjp: VjpFn | null,
  ) {}

  /** Drops the inputs and saved tensors so a finished step's graph can be collected. */
  release(): void {
    this.inputs = [];
    this.vjp = null;
  }
}
