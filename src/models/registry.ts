/** The model zoo registry: models.create(name, options) and models.list(). */
import type { Module } from '../nn/module.js';
import { lenet, lenet5 } from './lenet.js';
import { AlexNet } from './alexnet.js';
import { VGG, VGG_CONFIGS } from './vgg.js';
import { ResNet } from './resnet.js';
import { DenseNet } from './densenet.js';
import { SqueezeNet } from './squeezenet.js';
import { MobileNetV2 } from './mobilenet.js';
import { compoundScaling, EfficientNet, EFFICIENTNET_VARIANTS } from './efficientnet.js';
import { GoogLeNet } from './googlenet.js';
import { CifarResNet } from './resnet_cifar.js';
import { alexnet2012, MobileNetV1, nin, SimpNet, vggALrn, vggC, zfnet } from './lecture.js';
import { preactResnet18, preactResnetCifar, seResnet50, wideResnetCifar } from './preact.js';
import { DenseNetBC, mobilenetV2Cifar, VGGCifar } from './cifar.js';

export interface ModelInfo {
  name: string;
  description: string;
  /** The input shape the model is built for ([C, H, W]). */
  inputShape: [number, number, number];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model factory takes its own options type; the CLI passes parsed key=value pairs.
type Factory = (opts: any) => Module;
const REGISTRY = new Map<string, { factory: Factory; info: ModelInfo }>();

/**
 * A registered variant's options: `defaults` under the caller's options, `overrides` over them. A view rather
 * than a copy ({ ...o }), so create() still sees which options the builder reads.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- passed on to each builder's own options type
function overlay(o: Record<string, unknown> | undefined, defaults: Record<string, unknown>, overrides: Record<string, unknown> = {}): any {
  const src = o ?? {};
  const value = (k: string) => (k in overrides ? overrides[k] : (src[k] ?? defaults[k]));
  return new Proxy(
    {},
    {
      get: (_t, k) => (typeof k === 'string' ? value(k) : undefined),
      has: (_t, k) => typeof k === 'string' && value(k) !== undefined,
      ownKeys: () => [...new Set([...Reflect.ownKeys(src), ...Object.keys(defaults), ...Object.keys(overrides)])],
      getOwnPropertyDescriptor: (_t, k) => (typeof k === 'string' ? { value: value(k), enumerable: true, configurable: true, writable: true } : undefined),
    },
  );
}

/** Adds a model to the registry (the zoo registers itself below; users may add their own). */
export function register(info: ModelInfo, factory: Factory): void {
  REGISTRY.set(info.name, { factory, info });
}

register(
  {
    name: 'lenet5',
    description: 'LeNet-5 (1998): conv6-pool-conv16-pool-conv120-fc84-fc10 on 32×32; options activation relu|tanh, pooling max|avg',
    inputShape: [1, 32, 32],
  },
  lenet5,
);
register({ name: 'lenet', description: "The lectures' LeNet: conv20-pool-conv50-pool-fc500-fc10 on 28×28", inputShape: [1, 28, 28] }, lenet);

// ---- torchvision-compatible ImageNet models (same module and parameter names, same counts) ----
const IMAGENET: [number, number, number] = [3, 224, 224];
register(
  { name: 'alexnet', description: "AlexNet, torchvision's 64/192/384/256/256 variant (the lectures' table)", inputShape: IMAGENET },
  (o) => new AlexNet(o),
);
for (const [depth, cfg] of [
  [11, 'A'],
  [13, 'B'],
  [16, 'D'],
  [19, 'E'],
] as const) {
  register({ name: `vgg${depth}`, description: `VGG-${depth} (configuration ${cfg})`, inputShape: IMAGENET }, (o) => new VGG(VGG_CONFIGS[cfg], o));
  register(
    { name: `vgg${depth}_bn`, description: `VGG-${depth} with BatchNorm`, inputShape: IMAGENET },
    (o) => new VGG(VGG_CONFIGS[cfg], overlay(o, {}, { batchNorm: true })),
  );
}
register(
  { name: 'googlenet', description: 'GoogLeNet / Inception v1 (auxLogits option for the auxiliary classifiers)', inputShape: IMAGENET },
  (o) => new GoogLeNet(o),
);
const RESNETS: [string, 'basic' | 'bottleneck', [number, number, number, number], Record<string, number>, string][] = [
  ['resnet18', 'basic', [2, 2, 2, 2], {}, 'ResNet-18'],
  ['resnet34', 'basic', [3, 4, 6, 3], {}, 'ResNet-34'],
  ['resnet50', 'bottleneck', [3, 4, 6, 3], {}, 'ResNet-50'],
  ['resnet101', 'bottleneck', [3, 4, 23, 3], {}, 'ResNet-101'],
  ['resnet152', 'bottleneck', [3, 8, 36, 3], {}, 'ResNet-152'],
  ['wide_resnet50_2', 'bottleneck', [3, 4, 6, 3], { widthPerGroup: 128 }, 'Wide ResNet-50-2'],
  ['wide_resnet101_2', 'bottleneck', [3, 4, 23, 3], { widthPerGroup: 128 }, 'Wide ResNet-101-2'],
  ['resnext50_32x4d', 'bottleneck', [3, 4, 6, 3], { groups: 32, widthPerGroup: 4 }, 'ResNeXt-50 32×4d'],
  ['resnext101_32x8d', 'bottleneck', [3, 4, 23, 3], { groups: 32, widthPerGroup: 8 }, 'ResNeXt-101 32×8d'],
];
for (const [name, block, layers, extra, desc] of RESNETS) {
  register({ name, description: desc, inputShape: IMAGENET }, (o) => new ResNet(block, layers, overlay(o, extra)));
}
for (const [name, blocks] of [
  ['densenet121', [6, 12, 24, 16]],
  ['densenet169', [6, 12, 32, 32]],
  ['densenet201', [6, 12, 48, 32]],
] as const) {
  register(
    { name, description: `DenseNet-${name.slice(8)} (growth 32, BC)`, inputShape: IMAGENET },
    (o) => new DenseNet(overlay(o, { blockConfig: [...blocks] })),
  );
}
register({ name: 'squeezenet1_0', description: 'SqueezeNet 1.0', inputShape: IMAGENET }, (o) => new SqueezeNet('1_0', o));
register({ name: 'squeezenet1_1', description: 'SqueezeNet 1.1 (2.4× less computation than 1.0)', inputShape: IMAGENET }, (o) => new SqueezeNet('1_1', o));
register({ name: 'mobilenet_v2', description: 'MobileNet v2 (inverted residuals, linear bottlenecks)', inputShape: IMAGENET }, (o) => new MobileNetV2(o));
EFFICIENTNET_VARIANTS.forEach((v, i) => {
  register(
    {
      name: `efficientnet_b${i}`,
      description: `EfficientNet-B${i} (width ${v.widthMult}, depth ${v.depthMult}, ${v.resolution}×${v.resolution})`,
      inputShape: [3, v.resolution, v.resolution],
    },
    (o) => new EfficientNet(v, overlay(o, { largeBnMomentum: i >= 5 })),
  );
});

/**
 * Builds a registered model. Options: numClasses, inChannels and model-specific ones.
 * Example: models.create('lenet5', { numClasses: 10, activation: 'relu', pooling: 'max' })
 */
export function create(name: string, opts: Record<string, unknown> = {}): Module {
  const entry = REGISTRY.get(name);
  if (!entry) throw new Error(`models.create: unknown model '${name}' (available: ${[...REGISTRY.keys()].join(', ')})`);
  // The factory's reads tell its options (a builder destructures what it takes): an option it never looked at is a
  // typo or an option of another model, which would otherwise build the default model silently. A builder that
  // copies its options wholesale ({ ...opts }) cannot be checked this way and is trusted.
  const read = new Set<string>();
  let copied = false;
  const watched = new Proxy(opts, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
    ownKeys(target) {
      copied = true;
      return Reflect.ownKeys(target);
    },
  });
  const model = entry.factory(watched);
  // inChannels is accepted by every model: those built for a fixed input take it when it is their own channel count.
  const natural = entry.info.inputShape[0];
  if (!read.has('inChannels') && opts.inChannels !== undefined && opts.inChannels !== natural) {
    throw new Error(`models.create: ${name} takes ${natural}-channel input only, got inChannels ${String(opts.inChannels)}`);
  }
  read.add('inChannels');
  const unknown = Object.keys(opts).filter((k) => !read.has(k));
  if (!copied && unknown.length) {
    const valid = [...read].filter((k) => !['then', 'constructor', 'toJSON'].includes(k));
    throw new Error(
      `models.create: ${name} has no option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (its options: ${valid.join(', ') || 'none'})`,
    );
  }
  return model;
}

/** Registered models with their descriptions and natural input shapes. */
export function list(): ModelInfo[] {
  return [...REGISTRY.values()].map((e) => e.info);
}

// ---- CIFAR-size (32×32) models ----
for (const depth of [20, 32, 44, 56, 110]) {
  register(
    { name: `resnet${depth}`, description: `CIFAR ResNet-${depth} (He et al. 2016, 16/32/64 channels, projection shortcuts)`, inputShape: [3, 32, 32] },
    (o) => new CifarResNet(depth, o),
  );
  register(
    {
      name: `plain${depth}`,
      description: `CIFAR plain net of depth ${depth} (ResNet-${depth} without shortcuts; the degradation experiment)`,
      inputShape: [3, 32, 32],
    },
    (o) => new CifarResNet(depth, overlay(o, {}, { plain: true })),
  );
}
register({ name: 'preact_resnet164', description: 'CIFAR pre-activation ResNet-164 (bottleneck, He et al. 2016b)', inputShape: [3, 32, 32] }, (o) =>
  preactResnetCifar(164, o),
);
register({ name: 'wrn16_4', description: 'Wide ResNet WRN-16-4 for CIFAR', inputShape: [3, 32, 32] }, (o) => wideResnetCifar(16, 4, o));
register({ name: 'wrn28_10', description: 'Wide ResNet WRN-28-10 for CIFAR (36.5M parameters)', inputShape: [3, 32, 32] }, (o) => wideResnetCifar(28, 10, o));
register({ name: 'densenet_bc100', description: 'DenseNet-BC (L=100, k=12) for CIFAR', inputShape: [3, 32, 32] }, (o) => new DenseNetBC(100, 12, o));
register({ name: 'vgg_cifar', description: 'VGG-16 with BatchNorm for 32×32 inputs', inputShape: [3, 32, 32] }, (o) => new VGGCifar(o));
register({ name: 'mobilenet_v2_cifar', description: 'MobileNet v2 with a stride-1 stem for CIFAR', inputShape: [3, 32, 32] }, (o) => mobilenetV2Cifar(o));
register({ name: 'simpnet', description: 'SimpNet (Hasanpour et al.), 13 conv layers, for CIFAR', inputShape: [3, 32, 32] }, (o) => new SimpNet(o));

// ---- other architectures from the lectures (ImageNet-size) ----
register({ name: 'alexnet2012', description: 'The original AlexNet: 96/256/384/384/256, LRN, two-GPU groups, 227×227', inputShape: [3, 227, 227] }, (o) =>
  alexnet2012(o),
);
register({ name: 'zfnet', description: 'ZFNet: 7×7 stride-2 conv1, conv3–5 512/1024/512', inputShape: [3, 224, 224] }, (o) => zfnet(o));
register({ name: 'vgg11_lrn', description: 'VGG configuration A-LRN', inputShape: [3, 224, 224] }, (o) => vggALrn(o));
register({ name: 'vgg16_c', description: 'VGG configuration C (1×1 convs in stages 3–5)', inputShape: [3, 224, 224] }, (o) => vggC(o));
register({ name: 'nin', description: 'Network in Network: mlpconv blocks and global average pooling', inputShape: [3, 224, 224] }, (o) => nin(o));
register({ name: 'preact_resnet18', description: 'Pre-activation ResNet-18 (ImageNet)', inputShape: [3, 224, 224] }, (o) => preactResnet18(o));
register({ name: 'se_resnet50', description: 'SE-ResNet-50 (squeeze-and-excitation, reduction 16)', inputShape: [3, 224, 224] }, (o) => seResnet50(o));
register({ name: 'mobilenet_v1', description: 'MobileNet v1: depthwise separable convolutions', inputShape: [3, 224, 224] }, (o) => new MobileNetV1(o));
register(
  {
    name: 'efficientnet',
    description: 'EfficientNet from compound scaling: models.create("efficientnet", { phi }) (depth 1.2^φ, width 1.1^φ, resolution 224·1.15^φ)',
    inputShape: [3, 224, 224],
  },
  (o) => new EfficientNet(compoundScaling((o?.phi as number) ?? 0), o),
);
