/**
 * The model zoo registry: models.create(name, options) and models.list(). Every entry is built by the factory of the
 * same name (camelCase) in its family's file — models.resnet18(), models.lenet5() — as torchvision's builders; the
 * classes (ResNet, AlexNet …) are the architectures those factories configure.
 */
import type { Module } from '../nn/module.js';
import { lenet, lenet5 } from './lenet.js';
import { alexnet } from './alexnet.js';
import { vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn } from './vgg.js';
import { resnet18, resnet34, resnet50, resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, wideResnet101_2, wideResnet50_2 } from './resnet.js';
import { densenet121, densenet169, densenet201 } from './densenet.js';
import { squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
import { mobilenetV2 } from './mobilenet.js';
import {
  efficientnet,
  efficientnetB0,
  efficientnetB1,
  efficientnetB2,
  efficientnetB3,
  efficientnetB4,
  efficientnetB5,
  efficientnetB6,
  efficientnetB7,
  EFFICIENTNET_VARIANTS,
} from './efficientnet.js';
import { googlenet } from './googlenet.js';
import { REGNET_FACTORIES, REGNET_SETTINGS } from './regnet.js';
import { inceptionV3 } from './inception_v3.js';
import { efficientnetV2L, efficientnetV2M, efficientnetV2S } from './efficientnet_v2.js';
import { convnextBase, convnextLarge, convnextSmall, convnextTiny } from './convnext.js';
import { mnasnet0_5, mnasnet0_75, mnasnet1_0, mnasnet1_3 } from './mnasnet.js';
import { mobilenetV3Large, mobilenetV3Small } from './mobilenet_v3.js';
import { shufflenetV2X0_5, shufflenetV2X1_0, shufflenetV2X1_5, shufflenetV2X2_0 } from './shufflenet.js';
import { plain20, plain32, plain44, plain56, plain110, resnet20, resnet32, resnet44, resnet56, resnet110 } from './resnet_cifar.js';
import { alexnet2012, mobilenetV1, nin, simpnet, vgg11Lrn, vgg16C, zfnet } from './lecture.js';
import { preactResnet164, preactResnet18, seResnet50, wrn16_4, wrn28_10 } from './preact.js';
import { densenetBc100, mobilenetV2Cifar, vggCifar } from './cifar.js';
import { nasnet, nasnetACifar, nasnetAMobile } from './nasnet.js';

export interface ModelInfo {
  name: string;
  description: string;
  /** The input shape the model is built for ([C, H, W]). */
  inputShape: [number, number, number];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model factory takes its own options type; the CLI passes parsed key=value pairs.
type Factory = (opts: any) => Module;
const REGISTRY = new Map<string, { factory: Factory; info: ModelInfo }>();

/** Adds a model to the registry (the zoo registers itself below; users may add their own). */
export function register(info: ModelInfo, factory: Factory): void {
  REGISTRY.set(info.name, { factory, info });
}

/** The factory a registered name builds with (for tests and tools). */
export function factoryOf(name: string): Factory | undefined {
  return REGISTRY.get(name)?.factory;
}

const IMAGENET: [number, number, number] = [3, 224, 224];
const CIFAR: [number, number, number] = [3, 32, 32];

// ---- LeNet and torchvision-compatible ImageNet models (same module and parameter names, same counts) ----
register(
  {
    name: 'lenet5',
    description: 'LeNet-5 (1998): conv6-pool-conv16-pool-conv120-fc84-fc10 on 32×32; options activation relu|tanh, pooling max|avg',
    inputShape: [1, 32, 32],
  },
  lenet5,
);
register({ name: 'lenet', description: "The lectures' LeNet: conv20-pool-conv50-pool-fc500-fc10 on 28×28", inputShape: [1, 28, 28] }, lenet);
register({ name: 'alexnet', description: "AlexNet, torchvision's 64/192/384/256/256 variant (the lectures' table)", inputShape: IMAGENET }, alexnet);
register({ name: 'vgg11', description: 'VGG-11 (configuration A)', inputShape: IMAGENET }, vgg11);
register({ name: 'vgg11_bn', description: 'VGG-11 with BatchNorm', inputShape: IMAGENET }, vgg11Bn);
register({ name: 'vgg13', description: 'VGG-13 (configuration B)', inputShape: IMAGENET }, vgg13);
register({ name: 'vgg13_bn', description: 'VGG-13 with BatchNorm', inputShape: IMAGENET }, vgg13Bn);
register({ name: 'vgg16', description: 'VGG-16 (configuration D)', inputShape: IMAGENET }, vgg16);
register({ name: 'vgg16_bn', description: 'VGG-16 with BatchNorm', inputShape: IMAGENET }, vgg16Bn);
register({ name: 'vgg19', description: 'VGG-19 (configuration E)', inputShape: IMAGENET }, vgg19);
register({ name: 'vgg19_bn', description: 'VGG-19 with BatchNorm', inputShape: IMAGENET }, vgg19Bn);
register({ name: 'googlenet', description: 'GoogLeNet / Inception v1 (auxLogits option for the auxiliary classifiers)', inputShape: IMAGENET }, googlenet);
register({ name: 'resnet18', description: 'ResNet-18', inputShape: IMAGENET }, resnet18);
register({ name: 'resnet34', description: 'ResNet-34', inputShape: IMAGENET }, resnet34);
register({ name: 'resnet50', description: 'ResNet-50', inputShape: IMAGENET }, resnet50);
register({ name: 'resnet101', description: 'ResNet-101', inputShape: IMAGENET }, resnet101);
register({ name: 'resnet152', description: 'ResNet-152', inputShape: IMAGENET }, resnet152);
register({ name: 'wide_resnet50_2', description: 'Wide ResNet-50-2', inputShape: IMAGENET }, wideResnet50_2);
register({ name: 'wide_resnet101_2', description: 'Wide ResNet-101-2', inputShape: IMAGENET }, wideResnet101_2);
register({ name: 'resnext50_32x4d', description: 'ResNeXt-50 32×4d', inputShape: IMAGENET }, resnext50_32x4d);
register({ name: 'resnext101_32x8d', description: 'ResNeXt-101 32×8d', inputShape: IMAGENET }, resnext101_32x8d);
register({ name: 'densenet121', description: 'DenseNet-121 (growth 32, BC)', inputShape: IMAGENET }, densenet121);
register({ name: 'densenet169', description: 'DenseNet-169 (growth 32, BC)', inputShape: IMAGENET }, densenet169);
register({ name: 'densenet201', description: 'DenseNet-201 (growth 32, BC)', inputShape: IMAGENET }, densenet201);
register({ name: 'squeezenet1_0', description: 'SqueezeNet 1.0', inputShape: IMAGENET }, squeezenet1_0);
register({ name: 'squeezenet1_1', description: 'SqueezeNet 1.1 (2.4× less computation than 1.0)', inputShape: IMAGENET }, squeezenet1_1);
register({ name: 'mobilenet_v2', description: 'MobileNet v2 (inverted residuals, linear bottlenecks)', inputShape: IMAGENET }, mobilenetV2);
register({ name: 'mobilenet_v3_large', description: 'MobileNet V3 large (hard-swish, squeeze-and-excitation)', inputShape: IMAGENET }, mobilenetV3Large);
register({ name: 'mobilenet_v3_small', description: 'MobileNet V3 small', inputShape: IMAGENET }, mobilenetV3Small);
register({ name: 'mnasnet0_5', description: 'MNASNet-B1 ×0.5 (found by architecture search)', inputShape: IMAGENET }, mnasnet0_5);
register({ name: 'mnasnet0_75', description: 'MNASNet-B1 ×0.75', inputShape: IMAGENET }, mnasnet0_75);
register({ name: 'mnasnet1_0', description: 'MNASNet-B1 ×1.0', inputShape: IMAGENET }, mnasnet1_0);
register({ name: 'mnasnet1_3', description: 'MNASNet-B1 ×1.3', inputShape: IMAGENET }, mnasnet1_3);
register({ name: 'convnext_tiny', description: 'ConvNeXt-T (7×7 depthwise, LayerNorm, inverted MLP, layer scale)', inputShape: IMAGENET }, convnextTiny);
register({ name: 'convnext_small', description: 'ConvNeXt-S', inputShape: IMAGENET }, convnextSmall);
register({ name: 'convnext_base', description: 'ConvNeXt-B', inputShape: IMAGENET }, convnextBase);
register({ name: 'convnext_large', description: 'ConvNeXt-L', inputShape: IMAGENET }, convnextLarge);
register({ name: 'efficientnet_v2_s', description: 'EfficientNetV2-S (Fused-MBConv, then MBConv; 384×384)', inputShape: [3, 384, 384] }, efficientnetV2S);
register({ name: 'efficientnet_v2_m', description: 'EfficientNetV2-M (480×480)', inputShape: [3, 480, 480] }, efficientnetV2M);
register({ name: 'efficientnet_v2_l', description: 'EfficientNetV2-L (480×480)', inputShape: [3, 480, 480] }, efficientnetV2L);
register(
  { name: 'inception_v3', description: 'Inception v3 (factorized convolutions; auxLogits, transformInput options; 299×299)', inputShape: [3, 299, 299] },
  inceptionV3,
);
for (const name of Object.keys(REGNET_SETTINGS)) {
  const [, kind, size] = /^regnet_([xy])_(.+)$/.exec(name)!;
  const description = `RegNet${kind.toUpperCase()}-${size.replace('_', '.').toUpperCase()} (design-space network${kind === 'y' ? ', squeeze-and-excitation' : ''})`;
  register({ name, description, inputShape: IMAGENET }, REGNET_FACTORIES[name]);
}
register({ name: 'shufflenet_v2_x0_5', description: 'ShuffleNet V2 ×0.5 (channel split and shuffle)', inputShape: IMAGENET }, shufflenetV2X0_5);
register({ name: 'shufflenet_v2_x1_0', description: 'ShuffleNet V2 ×1.0', inputShape: IMAGENET }, shufflenetV2X1_0);
register({ name: 'shufflenet_v2_x1_5', description: 'ShuffleNet V2 ×1.5', inputShape: IMAGENET }, shufflenetV2X1_5);
register({ name: 'shufflenet_v2_x2_0', description: 'ShuffleNet V2 ×2.0', inputShape: IMAGENET }, shufflenetV2X2_0);
const EFFICIENTNETS = [efficientnetB0, efficientnetB1, efficientnetB2, efficientnetB3, efficientnetB4, efficientnetB5, efficientnetB6, efficientnetB7];
EFFICIENTNET_VARIANTS.forEach((v, i) => {
  const description = `EfficientNet-B${i} (width ${v.widthMult}, depth ${v.depthMult}, ${v.resolution}×${v.resolution})`;
  register({ name: `efficientnet_b${i}`, description, inputShape: [3, v.resolution, v.resolution] }, EFFICIENTNETS[i]);
});

// ---- CIFAR-size (32×32) models ----
register({ name: 'resnet20', description: 'CIFAR ResNet-20 (He et al. 2016, 16/32/64 channels, projection shortcuts)', inputShape: CIFAR }, resnet20);
register({ name: 'plain20', description: 'CIFAR plain net of depth 20 (ResNet-20 without shortcuts; the degradation experiment)', inputShape: CIFAR }, plain20);
register({ name: 'resnet32', description: 'CIFAR ResNet-32 (He et al. 2016, 16/32/64 channels, projection shortcuts)', inputShape: CIFAR }, resnet32);
register({ name: 'plain32', description: 'CIFAR plain net of depth 32 (ResNet-32 without shortcuts; the degradation experiment)', inputShape: CIFAR }, plain32);
register({ name: 'resnet44', description: 'CIFAR ResNet-44 (He et al. 2016, 16/32/64 channels, projection shortcuts)', inputShape: CIFAR }, resnet44);
register({ name: 'plain44', description: 'CIFAR plain net of depth 44 (ResNet-44 without shortcuts; the degradation experiment)', inputShape: CIFAR }, plain44);
register({ name: 'resnet56', description: 'CIFAR ResNet-56 (He et al. 2016, 16/32/64 channels, projection shortcuts)', inputShape: CIFAR }, resnet56);
register({ name: 'plain56', description: 'CIFAR plain net of depth 56 (ResNet-56 without shortcuts; the degradation experiment)', inputShape: CIFAR }, plain56);
register({ name: 'resnet110', description: 'CIFAR ResNet-110 (He et al. 2016, 16/32/64 channels, projection shortcuts)', inputShape: CIFAR }, resnet110);
register(
  { name: 'plain110', description: 'CIFAR plain net of depth 110 (ResNet-110 without shortcuts; the degradation experiment)', inputShape: CIFAR },
  plain110,
);
register({ name: 'preact_resnet164', description: 'CIFAR pre-activation ResNet-164 (bottleneck, He et al. 2016b)', inputShape: CIFAR }, preactResnet164);
register({ name: 'wrn16_4', description: 'Wide ResNet WRN-16-4 for CIFAR', inputShape: CIFAR }, wrn16_4);
register({ name: 'wrn28_10', description: 'Wide ResNet WRN-28-10 for CIFAR (36.5M parameters)', inputShape: CIFAR }, wrn28_10);
register({ name: 'densenet_bc100', description: 'DenseNet-BC (L=100, k=12) for CIFAR', inputShape: CIFAR }, densenetBc100);
register({ name: 'vgg_cifar', description: 'VGG-16 with BatchNorm for 32×32 inputs', inputShape: CIFAR }, vggCifar);
register({ name: 'mobilenet_v2_cifar', description: 'MobileNet v2 with a stride-1 stem for CIFAR', inputShape: CIFAR }, mobilenetV2Cifar);
register({ name: 'simpnet', description: 'SimpNet (Hasanpour et al.), 13 conv layers, for CIFAR', inputShape: CIFAR }, simpnet);
register(
  {
    name: 'nasnet_a_cifar',
    description: 'NASNet-A 6@768 for CIFAR-10 (Zoph et al. 2018, cells found by architecture search; 3.3M parameters)',
    inputShape: CIFAR,
  },
  nasnetACifar,
);
register({ name: 'nasnet_a_mobile', description: 'NASNet-A Mobile 4@1056 for 224×224 ImageNet (5.3M parameters)', inputShape: IMAGENET }, nasnetAMobile);
register(
  {
    name: 'nasnet',
    description: "A NASNet of any cell pair: options genotype (convnet search's output), stem cifar|imagenet, cellsPerStack, filters",
    inputShape: CIFAR,
  },
  nasnet,
);

// ---- other architectures from the lectures (ImageNet-size) ----
register(
  { name: 'alexnet2012', description: 'The original AlexNet: 96/256/384/384/256, LRN, two-GPU groups, 227×227', inputShape: [3, 227, 227] },
  alexnet2012,
);
register({ name: 'zfnet', description: 'ZFNet: 7×7 stride-2 conv1, conv3–5 512/1024/512', inputShape: IMAGENET }, zfnet);
register({ name: 'vgg11_lrn', description: 'VGG configuration A-LRN', inputShape: IMAGENET }, vgg11Lrn);
register({ name: 'vgg16_c', description: 'VGG configuration C (1×1 convs in stages 3–5)', inputShape: IMAGENET }, vgg16C);
register({ name: 'nin', description: 'Network in Network: mlpconv blocks and global average pooling', inputShape: IMAGENET }, nin);
register({ name: 'preact_resnet18', description: 'Pre-activation ResNet-18 (ImageNet)', inputShape: IMAGENET }, preactResnet18);
register({ name: 'se_resnet50', description: 'SE-ResNet-50 (squeeze-and-excitation, reduction 16)', inputShape: IMAGENET }, seResnet50);
register({ name: 'mobilenet_v1', description: 'MobileNet v1: depthwise separable convolutions', inputShape: IMAGENET }, mobilenetV1);
register(
  {
    name: 'efficientnet',
    description: 'EfficientNet from compound scaling: models.create("efficientnet", { phi }) (depth 1.2^φ, width 1.1^φ, resolution 224·1.15^φ)',
    inputShape: IMAGENET,
  },
  efficientnet,
);

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
