/** models.identify: which zoo architecture a weights file is for, from its state dict's names and shapes. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { io, models, nn } from '../src/index.js';
import { stateDictSignature } from '../src/models/signature.js';
import { ZOO_SIGNATURES } from '../src/models/signatures.generated.js';

const shapesOf = (m: nn.Module) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]));

describe('models.identify', () => {
  it('the signature table covers every registered model, and matches the models themselves (the cheap ones)', () => {
    expect(ZOO_SIGNATURES.map((z) => z.name)).toEqual(models.list().map((m) => m.name));
    for (const name of ['lenet5', 'resnet18', 'resnet20', 'plain20', 'squeezenet1_1', 'mobilenet_v2', 'googlenet', 'densenet121', 'efficientnet_b0', 'nin']) {
      const m = models.create(name) as nn.Module;
      const z = ZOO_SIGNATURES.find((x) => x.name === name)!;
      expect(models.headOf(m), name).toBe(z.head);
      expect(stateDictSignature(shapesOf(m), z.head), `${name}: run npx tsx scripts/gen_signatures.ts`).toBe(z.signature);
    }
  });

  it('recognises torchvision checkpoints (PyTorch-written .pth) and safetensors written here', async () => {
    for (const name of ['resnet18', 'squeezenet1_1', 'mobilenet_v2', 'googlenet', 'densenet121', 'efficientnet_b0', 'resnext50_32x4d']) {
      const { stateDict } = await io.loadWeights(readFileSync(new URL(`./fixtures/interop/${name}.pth`, import.meta.url)));
      const id = models.identify(stateDict);
      expect(id?.name, name).toBe(name);
      expect(id?.numClasses).toBe(1000);
    }
    const m = models.create('resnet20', { numClasses: 7 }) as nn.Module;
    const back = io.decodeSafetensors(io.encodeSafetensors(m.stateDict())).tensors;
    expect(models.identify(back)).toEqual({ name: 'resnet20', numClasses: 7, matches: ['resnet20'] });
  });

  it('a fine-tuned head, missing num_batches_tracked buffers and shapes alone still match; anything else is null', () => {
    const m = models.create('resnet18', { numClasses: 5 }) as nn.Module;
    const filtered = Object.fromEntries(Object.entries(shapesOf(m)).filter(([k]) => !k.endsWith('num_batches_tracked')));
    expect(models.identify(filtered)).toMatchObject({ name: 'resnet18', numClasses: 5 });
    expect(models.identify(shapesOf(models.create('mobilenet_v2') as nn.Module))?.matches).toEqual(['mobilenet_v2', 'mobilenet_v2_cifar']);
    const { ['layer1.0.conv1.weight']: _dropped, ...missing } = shapesOf(m);
    expect(models.identify(missing)).toBeNull();
    expect(models.identify({ ...shapesOf(m), 'layer1.0.conv1.weight': [64, 64, 5, 5] })).toBeNull();
    expect(models.identify({})).toBeNull();
  });
});
