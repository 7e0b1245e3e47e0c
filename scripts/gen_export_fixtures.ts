/**
 * The other direction of interop: convnet-ts writes ResNet-18 and MobileNetV2 (with BatchNorm statistics it
 * computed) as safetensors, and scripts/check_export_fixtures.py loads them into torchvision with PyTorch and
 * records PyTorch's logits and its verdict. Run: npx tsx scripts/gen_export_fixtures.ts, then
 * /usr/bin/python3 scripts/check_export_fixtures.py. Outputs (committed) in test/fixtures/interop/:
 * convnet_<model>.safetensors.gz and convnet_logits.json (convnet-ts's own eval logits).
 *
 * Full-size random weights would be 60 MB; these repeat a short pattern (scaled per layer for unit-variance
 * outputs), so the gzipped files are small and the forward pass still mixes every weight.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { io, manualSeed, models, noGrad, randn, tensor, nn, type Tensor } from '../src/index.js';

const OUT = new URL('../test/fixtures/interop/', import.meta.url);
const PATTERN = [0.9, -0.4, 0.1, -1.1, 0.6, -0.2, 1.3, -0.8, 0.3, -0.6, 0.0, 1.0, -1.3];

/** The fixture input: x[i] = sin(0.001·i) over [1, 3, 224, 224] (as test/interop.test.ts builds it). */
export function fixtureInput(): Tensor {
  const n = 3 * 224 * 224;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(0.001 * i);
  return tensor(x, [1, 3, 224, 224]);
}

const logits: Record<string, number[]> = {};
for (const name of ['resnet18', 'mobilenet_v2']) {
  manualSeed(0);
  const model = models.create(name) as nn.Module;
  noGrad(() => {
    let k = 0;
    for (const [pname, p] of model.namedParameters()) {
      const n = p.numel();
      const isNormWeight = p.ndim === 1 && pname.endsWith('weight');
      const scale = p.ndim === 1 ? 0.1 : Math.sqrt(1 / (n / p.shape[0]));
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = (isNormWeight ? 1 : 0) + scale * PATTERN[(i + k) % PATTERN.length];
      p.copy_(tensor(v, p.shape));
      k += 5;
    }
  });
  // BatchNorm statistics from three training-mode passes (what training leaves behind), over images like the
  // fixture input with noise, so activations stay O(1) through every layer.
  model.train();
  noGrad(() => {
    for (let i = 0; i < 3; i++)
      model.forward(
        fixtureInput()
          .expand([4, 3, 224, 224])
          .add(randn(4, 3, 224, 224).mul(0.3)),
      );
  });
  model.eval();
  const sd = model.stateDict();
  writeFileSync(new URL(`convnet_${name}.safetensors.gz`, OUT), gzipSync(io.encodeSafetensors(sd, { writer: 'convnet-ts', model: name }), { level: 9 }));
  logits[name] = Array.from(noGrad(() => (model.forward(fixtureInput()) as Tensor).data()));
  console.log(name, 'written; logits[0..3]', logits[name].slice(0, 3));
}
writeFileSync(new URL('convnet_logits.json', OUT), JSON.stringify(logits));
