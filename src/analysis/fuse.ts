/**
 * Conv/Linear + BatchNorm fusion for inference ("zero overhead at test time"): in eval mode BN is an affine map per
 * channel, so it folds into the preceding layer's weights: W' = W·γ/σ, b' = (b − μ)·γ/σ + β with σ = √(var + eps).
 * Which layers fold is their own business (nn/describe.ts): a layer with `channelAffine()` folds into a producer with
 * `absorbAffine()`.
 */
import { noGrad } from '../autograd/grad_mode.js';
import * as nn from '../nn/index.js';
import { withForwardTracer } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';

function parentOf(root: nn.AnyModule, target: nn.AnyModule): [nn.AnyModule, string] | null {
  for (const m of root.modules()) for (const [name, child] of m.namedChildren()) if (child === target) return [m, name];
  return null;
}

/**
 * Folds every BatchNorm that directly follows a Conv2d (or Linear) into it and replaces the BatchNorm with Identity.
 * Pairs are found by tracing one forward pass on zeros of `inputShape` ([C, H, W]): the BN's input must be the
 * conv's output. The model is switched to eval mode and modified in place; returns the number of fused pairs.
 * Example: analysis.fuseConvBn(model, [3, 224, 224])
 */
export function fuseConvBn(model: nn.AnyModule, inputShape: readonly number[]): number {
  model.eval();
  const producer = new Map<Tensor, nn.AnyModule>();
  const pairs: [nn.AnyModule, nn.AnyModule, nn.ChannelAffine][] = [];
  noGrad(() =>
    withForwardTracer(
      {
        enter() {},
        exit(m, inputs, output) {
          if (output instanceof Tensor) producer.set(output, m);
          const input = inputs[0];
          if (!(input instanceof Tensor)) return;
          const p = producer.get(input);
          if (!p?.absorbAffine) return;
          const affine = m.channelAffine?.();
          if (affine) pairs.push([p, m, affine]);
        },
      },
      () => model.forward(zeros([1, ...inputShape])),
    ),
  );
  for (const [layer, norm, affine] of pairs) {
    const fused = layer.absorbAffine!(affine);
    if (fused !== layer) {
      const [parent, name] = parentOf(model, layer)!;
      parent.replaceChild(name, fused);
    }
    const [normParent, normName] = parentOf(model, norm)!;
    normParent.replaceChild(normName, new nn.Identity());
  }
  model.eval();
  return pairs.length;
}
