/**
 * torchvision state dicts load into the matching zoo models as-is, and eval-mode logits agree with PyTorch's.
 * The checkpoints come from scripts/gen_interop_fixtures.py (Debian's python3-torchvision; random weights stored
 * as strided views of small storages, BN statistics calibrated), committed with PyTorch's logits; the tests load
 * each one from the .pth file and, converted, from safetensors bytes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relativeToMax } from './helpers/tolerance.js';
import * as ct from '../src/index.js';

const dir = fileURLToPath(new URL('./fixtures/interop/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}logits.json`, 'utf8')) as Record<string, { logits: number[] }>;

/** The fixture input: x[i] = sin(0.001·i) over [1, 3, 224, 224], as the generator builds it. */
function input(): ct.Tensor {
  const n = 3 * 224 * 224;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(0.001 * i);
  return ct.tensor(x, [1, 3, 224, 224]);
}

describe('torchvision checkpoints in zoo models', () => {
  const x = input();
  for (const name of Object.keys(expected)) {
    it(`${name}: loads the .pth state dict as-is (strict) and matches PyTorch's logits, also through safetensors`, async () => {
      const sd = await ct.io.loadPthStateDict(`${dir}${name}.pth`);
      const model = ct.models.create(name, name === 'googlenet' || name === 'inception_v3' ? { auxLogits: false } : {});
      model.loadStateDict(sd);
      model.eval();
      const logits = ct.noGrad(() => model.forward(x));
      expect(logits.shape).toEqual([1, 1000]);
      const err = relativeToMax(logits.data(), expected[name].logits);
      expect(err, `${name} logits, relative to the largest`).toBeLessThanOrEqual(1e-4);
      // The same weights through safetensors.
      const viaSafetensors = ct.io.decodeSafetensors(ct.io.encodeSafetensors(sd)).tensors;
      const again = ct.models.create(name, name === 'googlenet' || name === 'inception_v3' ? { auxLogits: false } : {});
      again.loadStateDict(viaSafetensors);
      again.eval();
      expect(Array.from(ct.noGrad(() => again.forward(x)).data())).toEqual(Array.from(logits.data()));
    });
  }
});

describe('the other direction: safetensors written by convnet-ts, read by PyTorch', () => {
  // scripts/gen_export_fixtures.ts wrote the files (with BatchNorm statistics convnet-ts computed) and its logits;
  // scripts/check_export_fixtures.py loaded them into torchvision strictly and recorded PyTorch's logits and verdict.
  const verdict = JSON.parse(readFileSync(`${dir}export_verdict.json`, 'utf8')) as {
    models: Record<string, { strict_load: string; max_relative_difference: number; logits: number[]; agrees: boolean; metadata: Record<string, string> }>;
  };
  const ours = JSON.parse(readFileSync(`${dir}convnet_logits.json`, 'utf8')) as Record<string, number[]>;
  for (const name of ['resnet18', 'mobilenet_v2']) {
    it(`${name}: PyTorch loaded it strictly and its logits agree with convnet-ts's to 1e-4 (relative to the largest)`, () => {
      const v = verdict.models[name];
      expect(v.strict_load).toBe('ok');
      expect(v.metadata).toEqual({ writer: 'convnet-ts', model: name });
      expect(v.max_relative_difference).toBeLessThan(1e-4);
      expect(v.agrees).toBe(true);
      // The committed file still gives convnet-ts's recorded logits, and those are PyTorch's.
      const sd = ct.io.decodeSafetensors(gunzipSync(readFileSync(`${dir}convnet_${name}.safetensors.gz`))).tensors;
      const model = ct.models.create(name);
      model.loadStateDict(sd);
      model.eval();
      const logits = ct.noGrad(() => model.forward(input())).data();
      // The recorded logits came from the plain-SIMD im2col kernels, layer by layer. Through 20-50 layers, float32
      // reordering alone moves them by up to ~1e-4 of the largest: the js reference differs from them by 7.7e-5
      // (ResNet-18) and 4.1e-5 (MobileNetV2); Winograd, FMA and folded batch norm by 6.8e-5 and 4.4e-5, while all
      // stay within 5e-5 of PyTorch's.
      expect(relativeToMax(logits, ours[name])).toBeLessThanOrEqual(1e-4);
      expect(relativeToMax(logits, v.logits)).toBeLessThanOrEqual(1e-4);
    });
  }
});

describe('io.loadWeights: one loader for every weights format, recognised by its bytes', () => {
  it('reads PyTorch, safetensors and ONNX files whatever they are called, and names what it cannot read', async () => {
    const pth = readFileSync(`${dir}resnet18.pth`);
    const fromPth = await ct.io.loadWeights(new Uint8Array(pth));
    expect(fromPth.format).toBe('pth');
    expect(Object.keys(fromPth.stateDict)).toContain('layer4.1.bn2.running_var');
    const st = ct.io.encodeSafetensors(fromPth.stateDict, { note: 'x' });
    const fromSt = await ct.io.loadWeights(new Blob([st as Uint8Array<ArrayBuffer>]));
    expect(fromSt).toMatchObject({ format: 'safetensors', metadata: { note: 'x' }, onnxModel: null });
    expect(fromSt.stateDict['fc.weight'].data()).toEqual(fromPth.stateDict['fc.weight'].data());
    const onnx = readFileSync(fileURLToPath(new URL('./fixtures/onnx/opzoo_opset17.onnx', import.meta.url)));
    const fromOnnx = await ct.io.loadWeights(new Uint8Array(onnx));
    expect(fromOnnx.format).toBe('onnx');
    expect(fromOnnx.onnxModel).not.toBeNull();
    expect(Object.keys(fromOnnx.stateDict).length).toBeGreaterThan(0);
    const legacy = readFileSync(fileURLToPath(new URL('./fixtures/pth/legacy.pth', import.meta.url)));
    await expect(ct.io.loadWeights(new Uint8Array(legacy))).rejects.toThrow(/legacy \(before PyTorch 1.6\) torch.save format/);
    await expect(ct.io.loadWeights(new TextEncoder().encode('hello, not weights'))).rejects.toThrow(
      'weights: not a weights file convnet-ts reads (safetensors, PyTorch .pth/.pt or ONNX; first bytes 68 65 6c 6c 6f 2c 20 6e)',
    );
  });
});
