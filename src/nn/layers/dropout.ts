/** Dropout and Dropout2d: active in train mode only. */
import type { Tensor } from '../../tensor/tensor.js';
import { dropout, dropout2d } from '../../ops/dropout.js';
import { Module } from '../module.js';
import { pyFloat } from '../repr.js';
import { ELEMENTWISE, type LayerInfo, type OnnxEmit, type OnnxLayerContext } from '../describe.js';

/** ONNX Dropout: an identity at inference, which is what an exported model runs. */
function dropoutNode(ctx: OnnxLayerContext, x: Tensor): OnnxEmit {
  return () => {
    const v = ctx.value(x);
    return { name: ctx.op('Dropout', [v.name], {}, ctx.path), batchAxis: v.batchAxis };
  };
}

function checkP(p: number, name: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`${name}: dropout probability must be in [0, 1], got ${p}`);
}

/** Zeroes elements with probability p in training and scales the rest by 1/(1 − p); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP(p, 'Dropout');
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training });
  }
  override describe(): LayerInfo {
    return ELEMENTWISE;
  }
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit {
    return dropoutNode(ctx, x);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/** Zeroes whole channels with probability p in training. */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP(p, 'Dropout2d');
  }
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, { training: this.training });
  }
  override describe(): LayerInfo {
    return ELEMENTWISE;
  }
  override exportOnnx(ctx: OnnxLayerContext, x: Tensor): OnnxEmit {
    return dropoutNode(ctx, x);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
