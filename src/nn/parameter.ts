/** A Parameter is a leaf Tensor that a Module owns and an optimizer updates (torch.nn.Parameter). */
import { Tensor } from '../tensor/tensor.js';

export class Parameter extends Tensor {
  /**
   * Wraps `data` (sharing its memory) as a trainable leaf.
   * Example: this.weight = new Parameter(randn(10, 5));
   */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.dtype);
    if (requiresGrad) this.requiresGrad_(true);
  }
}
