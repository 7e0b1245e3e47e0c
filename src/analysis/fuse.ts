/**
 * Conv/Linear + BatchNorm fusion for inference ("zero overhead at test time"): in eval mode BN is an affine map per
 * channel, so it folds into the preceding layer's weights: W' = W·γ/σ, b' = (b − μ)·γ/σ + β with σ = √(var + eps).
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

/** Per-channel factor γ/σ and shift β − μ·γ/σ of an eval-mode BatchNorm. */
function bnAffine(bn: nn.BatchNorm2d | nn.BatchNorm1d): { scale: Tensor; shift: Tensor } {
  const invStd = bn.runningVar!.add(bn.eps).rsqrt();
  const scale = bn.weight ? bn.weight.mul(invStd) : invStd;
  const shift = (bn.bias ?? zeros(bn.numFeatures)).sub(bn.runningMean!.mul(scale));
  return { scale, shift };
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
  const pairs: [nn.Conv2d | nn.Linear, nn.BatchNorm2d | nn.BatchNorm1d][] = [];
  noGrad(() =>
    withForwardTracer(
      {
        enter() {},
        exit(m, inputs, output) {
          if (output instanceof Tensor) producer.set(output, m);
          const input = inputs[0];
          if ((m instanceof nn.BatchNorm2d || m instanceof nn.BatchNorm1d) && input instanceof Tensor && m.runningMean && m.runningVar) {
            const p = producer.get(input);
            if (p instanceof nn.Conv2d || p instanceof nn.Linear) pairs.push([p, m]);
          }
        },
      },
      () => model.forward(zeros([1, ...inputShape])),
    ),
  );
  noGrad(() => {
    for (const [layer, bn] of pairs) {
      const { scale, shift } = bnAffine(bn);
      const outC = layer instanceof nn.Conv2d ? layer.outChannels : layer.outFeatures;
      const wShape = [outC, ...layer.weight.shape.slice(1).map(() => 1)];
      const weight = layer.weight.mul(scale.reshape(wShape));
      const bias = (layer.bias ?? zeros(outC)).mul(scale).add(shift);
      let fused: nn.Conv2d | nn.Linear = layer;
      if (!layer.bias) {
        // The layer had no bias: rebuild it with one (same geometry).
        fused =
          layer instanceof nn.Conv2d
            ? new nn.Conv2d(layer.inChannels, layer.outChannels, layer.kernelSize, {
                stride: layer.stride,
                padding: layer.padding,
                dilation: layer.dilation,
                groups: layer.groups,
                paddingMode: layer.paddingMode,
              })
            : new nn.Linear(layer.inFeatures, layer.outFeatures);
        const [parent, name] = parentOf(model, layer)!;
        parent.replaceChild(name, fused);
      }
      fused.weight.copy_(weight);
      fused.bias!.copy_(bias);
      const [bnParent, bnName] = parentOf(model, bn)!;
      bnParent.replaceChild(bnName, new nn.Identity());
    }
  });
  model.eval();
  return pairs.length;
}
