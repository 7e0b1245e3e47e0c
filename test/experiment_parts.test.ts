/**
 * The pieces the experiments are built from, checked on their own: the PNG encoder and image grid the augmentation
 * figure draws with, "precise BN" recalibration, the CIFAR ResNets' width/inChannels options, the BN-only parameter
 * selection and the clear error when CIFAR-10 is missing.
 */
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, pngDataUrl } from '../src/chart/png.js';
import { figure, imageGrid } from '../src/chart/spec.js';
import { renderSvg } from '../src/chart/render.js';
import { degradationFigure, experiment, loadTask, recalibrateBatchNorm, runExperiment, trainableParameters } from '../src/experiments/index.js';
import { CifarResNet, resnet20 } from '../src/models/index.js';
import * as nn from '../src/nn/index.js';
import { noGrad } from '../src/autograd/grad_mode.js';
import { randn, tensor } from '../src/tensor/creation.js';
import { manualSeed } from '../src/tensor/random.js';
import { relu } from '../src/ops/activation.js';

/** The chunks of a PNG file, with their CRCs checked against zlib's. */
function chunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array }[] = [];
  for (let o = 8; o < png.length;) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    out.push({ type, data: png.subarray(o + 8, o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

describe('experiment building blocks', () => {
  it('encodePng writes a valid PNG whose pixels inflate back exactly (gray and RGB, over one stored block)', () => {
    for (const [w, h, c] of [
      [3, 2, 1],
      [300, 120, 3],
    ] as const) {
      const px = Uint8Array.from({ length: w * h * c }, (_, i) => (i * 37) % 256);
      const parts = chunks(encodePng(px, w, h, c));
      expect(parts.map((p) => p.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
      const hdr = new DataView(parts[0].data.buffer, parts[0].data.byteOffset);
      expect([hdr.getUint32(0), hdr.getUint32(4), parts[0].data[8], parts[0].data[9]]).toEqual([w, h, 8, c === 1 ? 0 : 2]);
      const raw = inflateSync(parts[1].data); // checks the zlib stream and its Adler-32
      for (let y = 0; y < h; y++) {
        expect(raw[y * (w * c + 1)]).toBe(0);
        expect([...raw.subarray(y * (w * c + 1) + 1, (y + 1) * (w * c + 1))]).toEqual([...px.subarray(y * w * c, (y + 1) * w * c)]);
      }
    }
    expect(() => encodePng(new Uint8Array(5), 2, 2, 1)).toThrow(/encodePng: expected 2×2×1 = 4 values, got 5/);
    expect(() => encodePng(new Uint8Array(0), 0, 2, 1)).toThrow(/positive integers, got 0×2/);
  });

  it('pngDataUrl maps [lo, hi] to 0–255 and clamps; imageGrid draws the images', async () => {
    const url = pngDataUrl([-1, 0, 0.5, 1, 2, 0.25], [1, 2, 3], 0, 1);
    expect(url).toMatch(/^data:image\/png;base64,/);
    const png = Uint8Array.from(atob(url.split(',')[1]), (ch) => ch.charCodeAt(0));
    const raw = inflateSync(chunks(png)[1].data);
    expect([...raw]).toEqual([0, 0, 0, 128, 0, 255, 255, 64]);
    expect(() => pngDataUrl([0, 0], [2, 1, 1], 0, 1)).toThrow(/expected 1 or 3 channels, got 2/);
    const svg = await renderSvg(
      figure(
        imageGrid({
          title: 'g',
          rows: [
            { label: 'flip', images: [url, url] },
            { label: 'none', images: [url] },
          ],
        }),
        'grid',
      ),
    );
    expect(svg.match(/<image /g)?.length).toBe(3);
    expect(svg).toContain('flip');
  });

  it('recalibrateBatchNorm replaces running statistics by their average over the given images', () => {
    manualSeed(0);
    const bn = new nn.BatchNorm2d(3);
    const model = new nn.Sequential(bn);
    const x = randn([250, 3, 4, 4]).mul(2).add(1);
    const labels = new Int32Array(250);
    noGrad(() => model.forward(x.narrow(0, 0, 10))); // stale statistics from one batch
    recalibrateBatchNorm(model, { x, y: tensor(labels, [250]), labels }, 200);
    const batchMean = (i: number) => x.narrow(0, i, 100).mean([0, 2, 3]);
    const expected = batchMean(0).add(batchMean(100)).div(2).data();
    const got = bn.runningMean!.data();
    for (let c = 0; c < 3; c++) expect(got[c]).toBeCloseTo(expected[c], 5);
    expect(bn.momentum).toBe(0.1);
    expect(model.training).toBe(true);
  });

  it('CifarResNet takes width and inChannels, keeps the paper’s defaults, and rejects bad values', () => {
    const count = (m: nn.AnyModule) => m.parameters().reduce((s, p) => s + p.numel(), 0);
    expect(count(resnet20())).toBe(count(new CifarResNet(20, { width: 16, inChannels: 3 })));
    const small = new CifarResNet(8, { width: 4, inChannels: 1 });
    expect(small.forward(randn([2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(small.fc.inFeatures).toBe(16);
    expect(() => new CifarResNet(20, { width: 0 })).toThrow(/CifarResNet: width must be a positive integer, got 0/);
    expect(() => new CifarResNet(20, { inChannels: 1.5 })).toThrow(/inChannels must be a positive integer, got 1.5/);
    expect(() => new CifarResNet(21)).toThrow(/depth must be 6n \+ 2/);
  });

  it('zeroInitResidual starts every residual block as the identity (torchvision’s zero_init_residual); plain nets are unchanged', () => {
    manualSeed(3);
    const m = new CifarResNet(14, { width: 4, zeroInitResidual: true });
    m.eval();
    const blocks = [...m.layer1.children()] as nn.Module[];
    expect(blocks.every((b) => (b as unknown as { bn2: nn.BatchNorm2d }).bn2.weight!.data().every((v: number) => v === 0))).toBe(true);
    // An identity block then maps a post-ReLU input to itself.
    const x = relu(randn(2, 4, 6, 6));
    expect(Array.from(blocks[1].forward(x).data())).toEqual(Array.from(x.data()));
    manualSeed(3);
    const plain = new CifarResNet(14, { width: 4, zeroInitResidual: true, plain: true });
    manualSeed(3);
    const plainDefault = new CifarResNet(14, { width: 4, plain: true });
    expect(plain.stateDict()['layer1.0.bn2.weight'].data()).toEqual(plainDefault.stateDict()['layer1.0.bn2.weight'].data());
  });

  it('trainableParameters freezes all but the chosen parameters', () => {
    const m = new CifarResNet(8, { width: 4 });
    const bn = trainableParameters(m, 'BatchNorm γ, β only');
    const bnCount = [...m.modules()].filter((x) => x instanceof nn.BatchNorm2d).reduce((s, b) => s + 2 * (b as nn.BatchNorm2d).numFeatures, 0);
    expect(bn.reduce((s, p) => s + p.numel(), 0)).toBe(bnCount);
    expect(m.parameters().filter((p) => p.requiresGrad)).toEqual(bn);
    expect(trainableParameters(m, 'head (fc) only')).toEqual(m.fc.parameters());
    expect(trainableParameters(m, 'BatchNorm and head').length).toBe(bn.length + 2);
    expect(trainableParameters(m, 'everything').length).toBe(m.parameters().length);
  });

  it('an experiment that needs CIFAR-10 says where to put it when it is missing', async () => {
    await expect(loadTask('degradation', 'cifar10', 10, 10, 0, '/nonexistent/cifar')).rejects.toThrow(
      /experiment degradation: CIFAR-10 is needed at this budget: .*--set data=DIR, or run with --quick/,
    );
    await expect(loadTask('degradation', 'svhn', 10, 10, 0)).rejects.toThrow(/dataset must be 'cifar10' or 'mnist', got 'svhn'/);
    const { data, inChannels } = await loadTask('degradation', 'mnist', 20, 10, 0);
    expect(inChannels).toBe(1);
    expect(data.train.x.shape).toEqual([20, 1, 28, 28]);
  });

  it('degradation draws its figure from its results alone (a committed results.json can be redrawn)', async () => {
    const run = (kind: 'plain' | 'resnet', depth: number) => ({
      kind,
      depth,
      parameters: 1,
      logs: [{ epoch: 1, trainLoss: 1, trainAcc: 0.5, testAcc: 0.5, lr: 0.1 }],
      stepErrors: [60, 55, 50],
      finalTrainError: 50,
      finalTestError: 50,
      seconds: 1,
    });
    const svg = await renderSvg(
      degradationFigure({
        dataset: 'cifar10',
        trainImages: 192,
        testImages: 10,
        epochs: 1,
        width: 16,
        runs: [run('plain', 8), run('plain', 20), run('resnet', 8), run('resnet', 20)],
      }),
    );
    for (const label of ['plain-20 train', 'resnet-8 test', 'CIFAR-10, 192 training images']) expect(svg).toContain(label);
  });

  it("degradation's zeroInit is a checked setting", async () => {
    await expect(runExperiment(experiment('degradation'), { quick: true, params: { zeroInit: 'true' } })).rejects.toThrow(
      /experiment degradation: zeroInit must be 'on' or 'off', got 'true'/,
    );
  });

  it("architectures' CIFAR part is a checked setting", async () => {
    await expect(runExperiment(experiment('architectures'), { quick: true, params: { cifar: 'yes' } })).rejects.toThrow(
      /experiment architectures: cifar must be 'on' or 'off', got 'yes'/,
    );
  });
});
