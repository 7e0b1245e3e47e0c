/**
 * The lectures' "comparing complexity" figure: parameters, multiply-adds and activation memory of the zoo's ImageNet
 * models at their natural input size (measured by analysis.summary on a traced forward pass), against the top-1
 * accuracy torchvision publishes for its weights. The accuracies are a committed table, not measured here: they come
 * from torchvision's model documentation (IMAGENET1K_V1 weights, 224×224 single crop; EfficientNets at their own sizes).
 */
import { summary } from '../analysis/summary.js';
import { figure, scatter } from '../chart/spec.js';
import { create, list } from '../models/registry.js';
import { markdownTable, type Experiment } from './experiment.js';

/** torchvision's published ImageNet-1k top-1 accuracy (%) of its IMAGENET1K_V1 weights. */
export const TORCHVISION_TOP1: Readonly<Record<string, number>> = {
  alexnet: 56.522,
  vgg11: 69.02,
  vgg11_bn: 70.37,
  vgg13: 69.928,
  vgg13_bn: 71.586,
  vgg16: 71.592,
  vgg16_bn: 73.36,
  vgg19: 72.376,
  vgg19_bn: 74.218,
  googlenet: 69.778,
  resnet18: 69.758,
  resnet34: 73.314,
  resnet50: 76.13,
  resnet101: 77.374,
  resnet152: 78.312,
  wide_resnet50_2: 78.468,
  wide_resnet101_2: 78.848,
  resnext50_32x4d: 77.618,
  resnext101_32x8d: 79.312,
  densenet121: 74.434,
  densenet169: 75.6,
  densenet201: 76.896,
  squeezenet1_0: 58.092,
  squeezenet1_1: 58.178,
  mobilenet_v2: 71.878,
  efficientnet_b0: 77.692,
  efficientnet_b1: 78.642,
  efficientnet_b2: 80.608,
  efficientnet_b3: 82.008,
  efficientnet_b4: 83.384,
  efficientnet_b5: 83.444,
  efficientnet_b6: 84.008,
  efficientnet_b7: 84.122,
};

/** The models of the quick run: one of each family the lecture compares. */
const QUICK = ['alexnet', 'vgg16', 'googlenet', 'resnet18', 'resnet50', 'densenet121', 'squeezenet1_1', 'mobilenet_v2', 'efficientnet_b0'];

export interface ArchitectureMeasure {
  model: string;
  inputShape: number[];
  params: number;
  macs: number;
  activationMB: number;
  top1: number;
}

/** Measures each model (default: every one torchvision publishes an accuracy for). */
export function measureArchitectures(names: readonly string[], onProgress: (line: string) => void = () => {}): ArchitectureMeasure[] {
  return names.map((model, i) => {
    const info = list().find((m) => m.name === model);
    if (!info) throw new Error(`experiment architectures: unknown model '${model}'`);
    const s = summary(create(model), [...info.inputShape]);
    onProgress(`${i + 1}/${names.length} ${model}`);
    return {
      model,
      inputShape: [...info.inputShape],
      params: s.total.params,
      macs: s.total.flops,
      activationMB: s.total.memoryKB / 1024,
      top1: TORCHVISION_TOP1[model],
    };
  });
}

/** The experiment (`convnet experiment architectures`). */
export const ARCHITECTURES_EXPERIMENT: Experiment<{ models: ArchitectureMeasure[]; accuracySource: string }> = {
  name: 'architectures',
  lectures: '000, 004',
  claim:
    'After VGG, accuracy grew while size shrank: ResNets, GoogLeNet, MobileNets and EfficientNets beat VGG-16 with a fraction of its parameters and operations',
  description: "parameters, multiply-adds and activation memory of the zoo's ImageNet models against torchvision's published top-1 (33 models; 9 with --quick)",
  async run({ quick, onProgress }) {
    const names = quick ? QUICK : Object.keys(TORCHVISION_TOP1);
    const models = measureArchitectures(names, onProgress);
    const get = (m: string) => models.find((x) => x.model === m)!;
    const vgg = get('vgg16');
    const beat = ['resnet50', 'efficientnet_b0', 'mobilenet_v2', 'densenet121'].map(get);
    const checks = beat.map((m) => m.top1 > vgg.top1 && m.params < vgg.params / 4 && m.macs < vgg.macs / 3);
    const fmt = (v: number, d = 1) => v.toFixed(d);
    return {
      results: { models, accuracySource: "torchvision's model documentation, IMAGENET1K_V1 weights" },
      figure: figure(
        scatter({
          title: '',
          x: { title: 'multiply-adds per image (G, log scale)', log: true },
          y: { title: 'ImageNet top-1 accuracy (%, torchvision)' },
          points: models.map((m) => ({ label: m.model, x: m.macs / 1e9, y: m.top1, size: m.params / 1e6 })),
          sizeTitle: 'parameters (M)',
          width: 560,
          height: 380,
        }),
        'Accuracy against operations: after VGG, better models got smaller (bubble area: parameters)',
      ),
      table: markdownTable(
        ['model', 'input', 'params (M)', 'MACs (G)', 'activations (MB)', 'top-1 (%)'],
        models.map((m) => [m.model, m.inputShape.join('×'), fmt(m.params / 1e6, 2), fmt(m.macs / 1e9, 2), fmt(m.activationMB), fmt(m.top1, 3)]),
      ),
      verdict: {
        holds: checks.every(Boolean),
        measured: beat
          .map(
            (m) =>
              `${m.model} ${fmt(m.top1)}% with ${fmt(vgg.params / m.params)}× fewer parameters and ${fmt(vgg.macs / m.macs)}× fewer MACs than VGG-16 (${fmt(vgg.top1)}%)`,
          )
          .join('; '),
        criterion:
          'ResNet-50, EfficientNet-B0, MobileNet v2 and DenseNet-121 each more accurate than VGG-16 with under a quarter of its parameters and a third of its MACs',
      },
    };
  },
};
