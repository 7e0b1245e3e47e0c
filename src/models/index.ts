/**
 * The model zoo: models.create(name, options), models.list(), a factory per model named after it (models.resnet18(),
 * models.lenet5(); torchvision's builders) and the architectures' classes the factories configure.
 */
export { create, list, register, factoryOf, type ModelInfo } from './registry.js';
export { identify, headOf, type Identified } from './identify.js';
export { withOptions } from './options.js';
export { lenet5, lenet, type LeNet5Options } from './lenet.js';
export { AlexNet, alexnet } from './alexnet.js';
export { VGG, VGG_CONFIGS, vggFeatures, vgg11, vgg11Bn, vgg13, vgg13Bn, vgg16, vgg16Bn, vgg19, vgg19Bn, type VGGOptions } from './vgg.js';
export {
  ResNet,
  BasicBlock,
  Bottleneck,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  wideResnet50_2,
  wideResnet101_2,
  resnext50_32x4d,
  resnext101_32x8d,
  type ResNetOptions,
} from './resnet.js';
export { DenseNet, DenseBlock, DenseLayer, transition, densenet121, densenet169, densenet201, type DenseNetOptions } from './densenet.js';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
export { MobileNetV2, InvertedResidual, mobilenetV2, type MobileNetV2Options } from './mobilenet.js';
export * from './regnet.js';
export {
  Inception3,
  InceptionA,
  InceptionB,
  InceptionC,
  InceptionD,
  InceptionE,
  InceptionV3Aux,
  inceptionV3,
  type InceptionV3Options,
} from './inception_v3.js';
export { EfficientNetV2, FusedMBConv, efficientnetV2S, efficientnetV2M, efficientnetV2L, type EfficientNetV2Options } from './efficientnet_v2.js';
export { ConvNeXt, CNBlock, LayerNorm2d, Permute, convnextTiny, convnextSmall, convnextBase, convnextLarge, type ConvNeXtOptions } from './convnext.js';
export { MNASNet, MnasBlock, roundToMultipleOf, mnasnet0_5, mnasnet0_75, mnasnet1_0, mnasnet1_3, type MNASNetOptions } from './mnasnet.js';
export { MobileNetV3, MobileNetV3Block, mobilenetV3Large, mobilenetV3Small, type MobileNetV3Options } from './mobilenet_v3.js';
export {
  ShuffleNetV2,
  ShuffleUnit,
  channelShuffle,
  SHUFFLENET_V2_CHANNELS,
  shufflenetV2X0_5,
  shufflenetV2X1_0,
  shufflenetV2X1_5,
  shufflenetV2X2_0,
  type ShuffleNetV2Options,
} from './shufflenet.js';
export {
  EfficientNet,
  MBConv,
  SqueezeExcitation,
  StochasticDepth,
  compoundScaling,
  EFFICIENTNET_VARIANTS,
  efficientnet,
  efficientnetB0,
  efficientnetB1,
  efficientnetB2,
  efficientnetB3,
  efficientnetB4,
  efficientnetB5,
  efficientnetB6,
  efficientnetB7,
  type EfficientNetScaling,
  type EfficientNetOptions,
} from './efficientnet.js';
export { GoogLeNet, Inception, InceptionAux, BasicConv2d, googlenet } from './googlenet.js';
export { convNormAct, makeDivisible } from './blocks.js';
export {
  CifarResNet,
  CifarBlock,
  type CifarResNetOptions,
  resnet20,
  resnet32,
  resnet44,
  resnet56,
  resnet110,
  plain20,
  plain32,
  plain44,
  plain56,
  plain110,
} from './resnet_cifar.js';
export { alexnet2012, zfnet, vgg11Lrn, vgg16C, nin, MobileNetV1, SimpNet, mobilenetV1, simpnet } from './lecture.js';
export {
  PreActBlock,
  PreActBottleneck,
  PreActResNet,
  preactResnet18,
  preactResnet164,
  preactResnetCifar,
  wideResnetCifar,
  wrn16_4,
  wrn28_10,
  SEBottleneck,
  seResnet50,
} from './preact.js';
export { DenseNetBC, VGGCifar, mobilenetV2Cifar, densenetBc100, vggCifar } from './cifar.js';
export {
  NASNet,
  NasCell,
  NasBlock,
  NasOperation,
  FactorizedReduce,
  NASNET_A,
  NAS_OPS,
  validateGenotype,
  unusedStates,
  nasnet,
  nasnetACifar,
  nasnetAMobile,
  type NasOp,
  type CellBlock,
  type CellSpec,
  type Genotype,
  type NASNetOptions,
} from './nasnet.js';
export { parseModelDefinition, fromDefinition, MODEL_DEFINITION_FORMAT, type ModelDefinition } from './definition.js';
