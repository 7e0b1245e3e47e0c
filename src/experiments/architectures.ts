/**
 * The lectures' "comparing complexity" figure: parameters, multiply-adds and activation memory of the zoo's ImageNet
 * models at their natural input size (measured by analysis.summary on a traced forward pass), against the top-1
 * accuracy torchvision publishes for its weights. The accuracies are a committed table, not measured here: they come
 * from torchvision's model documentation (IMAGENET1K_V1 weights, 224×224 single crop; EfficientNets at their own sizes).
 * At the full budget the zoo's CIFAR models are also trained under one fixed budget (the same images, epochs and
 * optimizer) on CIFAR-10, and their measured test accuracy is set against their multiply-adds.
 */
import { summary } from '../analysis/summary.js';
import { figure, row, scatter } from '../chart/spec.js';
import { create, list } from '../models/registry.js';
import { SGD } from '../optim/sgd.js';
import { manualSeed } from '../tensor/random.js';
import { intSetting, markdownTable, type Experiment } from './experiment.js';
import { loadTask, trainEpochs } from './mnist_task.js';

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

/** The CIFAR models trained at the full budget: from the smallest ResNet to VGG and a wide ResNet. */
export const CIFAR_MODELS = ['resnet20', 'resnet56', 'mobilenet_v2_cifar', 'wrn16_4', 'vgg_cifar'] as const;

export interface CifarMeasure {
  model: string;
  params: number;
  macs: number;
  testAccuracy: number;
  seconds: number;
}

export interface CifarComparison {
  trainImages: number;
  testImages: number;
  epochs: number;
  models: CifarMeasure[];
}

/** Trains each CIFAR model on the same CIFAR-10 subset with the same optimizer and epochs, and tests it. */
async function compareOnCifar(
  seed: number,
  trainImages: number,
  epochs: number,
  dataDir: string | undefined,
  onProgress: (line: string) => void,
): Promise<CifarComparison> {
  const { data } = await loadTask('architectures', 'cifar10', trainImages, 2000, seed, dataDir);
  const models: CifarMeasure[] = [];
  for (const model of CIFAR_MODELS) {
    manualSeed(seed + 1);
    const net = create(model);
    const s = summary(net, [3, 32, 32]);
    const t0 = performance.now();
    const r = trainEpochs(net, new SGD(net.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 }), data, {
      epochs,
      seed: seed + 2,
      preciseBn: 1000,
      onEpoch: (l) => onProgress(`${model} epoch ${l.epoch}: test accuracy ${(l.testAcc * 100).toFixed(1)}%`),
    });
    models.push({
      model,
      params: s.total.params,
      macs: s.total.flops,
      testAccuracy: r.diverged ? 0.1 : r.logs.at(-1)!.testAcc,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    });
  }
  return { trainImages, testImages: data.test.labels.length, epochs, models };
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
export const ARCHITECTURES_EXPERIMENT: Experiment<{ models: ArchitectureMeasure[]; accuracySource: string; cifar: CifarComparison | null }> = {
  name: 'architectures',
  lectures: '000, 004',
  claim:
    'After VGG, accuracy grew while size shrank: ResNets, GoogLeNet, MobileNets and EfficientNets beat VGG-16 with a fraction of its parameters and operations',
  description:
    "parameters, multiply-adds and activation memory of the zoo's ImageNet models against torchvision's published top-1 (33 models), and five CIFAR models trained alike on 4,000 CIFAR-10 images for 2 epochs; --quick: 9 ImageNet models, no training",
  params: {
    cifar: "'on' (the full budget's default) or 'off' (quick's): train the CIFAR models",
    data: 'the folder with the CIFAR-10 binary files (default: the cache folder)',
    trainImages: 'CIFAR-10 training images (default 4000)',
    epochs: 'epochs for each CIFAR model (default 2)',
  },
  async run({ quick, seed, onProgress, params }) {
    const cifarOn = params.cifar ?? (quick ? 'off' : 'on');
    if (cifarOn !== 'on' && cifarOn !== 'off') throw new Error(`experiment architectures: cifar must be 'on' or 'off', got '${cifarOn}'`);
    const names = quick ? QUICK : Object.keys(TORCHVISION_TOP1);
    const models = measureArchitectures(names, onProgress);
    const cifar =
      cifarOn === 'on'
        ? await compareOnCifar(
            seed,
            intSetting('architectures', params, 'trainImages', 4000),
            intSetting('architectures', params, 'epochs', 2),
            params.data,
            onProgress,
          )
        : null;
    const get = (m: string) => models.find((x) => x.model === m)!;
    const vgg = get('vgg16');
    const beat = ['resnet50', 'efficientnet_b0', 'mobilenet_v2', 'densenet121'].map(get);
    const checks = beat.map((m) => m.top1 > vgg.top1 && m.params < vgg.params / 4 && m.macs < vgg.macs / 3);
    const fmt = (v: number, d = 1) => v.toFixed(d);
    // On CIFAR-10: the best model with under a third of VGG's multiply-adds against VGG itself.
    const cifarVgg = cifar?.models.find((m) => m.model === 'vgg_cifar');
    const cifarBest = cifar?.models.filter((m) => cifarVgg && m.macs < cifarVgg.macs / 3).sort((a, b) => b.testAccuracy - a.testAccuracy)[0];
    const cifarHolds = !cifar || (!!cifarBest && !!cifarVgg && cifarBest.testAccuracy >= cifarVgg.testAccuracy);
    const imagenetPlot = scatter({
      title: cifar ? 'ImageNet: published accuracy' : '',
      x: { title: 'multiply-adds per image (G, log scale)', log: true },
      y: { title: 'ImageNet top-1 accuracy (%, torchvision)' },
      points: models.map((m) => ({ label: m.model, x: m.macs / 1e9, y: m.top1, size: m.params / 1e6 })),
      sizeTitle: 'parameters (M)',
      width: 560,
      height: 380,
    });
    return {
      results: { models, accuracySource: "torchvision's model documentation, IMAGENET1K_V1 weights", cifar },
      figure: figure(
        cifar
          ? row([
              imagenetPlot,
              scatter({
                title: `CIFAR-10: measured here (${cifar.trainImages.toLocaleString('en')} images × ${cifar.epochs} epochs, same optimizer)`,
                x: { title: 'multiply-adds per image (M, log scale)', log: true },
                y: { title: 'CIFAR-10 test accuracy (%)' },
                points: cifar.models.map((m) => ({ label: m.model, x: m.macs / 1e6, y: m.testAccuracy * 100, size: m.params / 1e6 })),
                sizeTitle: 'parameters (M)',
                width: 380,
                height: 380,
              }),
            ])
          : imagenetPlot,
        'Accuracy against operations: after VGG, better models got smaller (bubble area: parameters)',
      ),
      table: [
        markdownTable(
          ['model', 'input', 'params (M)', 'MACs (G)', 'activations (MB)', 'top-1 (%)'],
          models.map((m) => [m.model, m.inputShape.join('×'), fmt(m.params / 1e6, 2), fmt(m.macs / 1e9, 2), fmt(m.activationMB), fmt(m.top1, 3)]),
        ),
        ...(cifar
          ? [
              '',
              markdownTable(
                ['CIFAR model', 'params (M)', 'MACs (M)', 'test accuracy (measured)', 'training seconds'],
                cifar.models.map((m) => [m.model, fmt(m.params / 1e6, 2), fmt(m.macs / 1e6), `${fmt(m.testAccuracy * 100)}%`, m.seconds]),
              ),
            ]
          : []),
      ].join('\n'),
      verdict: {
        holds: checks.every(Boolean) && cifarHolds,
        measured:
          beat
            .map(
              (m) =>
                `${m.model} ${fmt(m.top1)}% with ${fmt(vgg.params / m.params)}× fewer parameters and ${fmt(vgg.macs / m.macs)}× fewer MACs than VGG-16 (${fmt(vgg.top1)}%)`,
            )
            .join('; ') +
          (cifar && cifarVgg
            ? `; on CIFAR-10 (measured): ${cifarBest ? `${cifarBest.model} ${fmt(cifarBest.testAccuracy * 100)}% with ${fmt(cifarVgg.macs / cifarBest.macs)}× fewer MACs` : 'no model under a third of its MACs'} vs vgg_cifar ${fmt(cifarVgg.testAccuracy * 100)}%`
            : ''),
        criterion:
          'ResNet-50, EfficientNet-B0, MobileNet v2 and DenseNet-121 each more accurate than VGG-16 with under a quarter of its parameters and a third of its MACs' +
          (cifar ? "; on CIFAR-10 under one budget, the best model with under a third of vgg_cifar's MACs is at least as accurate as vgg_cifar" : ''),
      },
    };
  },
};
