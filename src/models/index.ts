/** The model zoo: models.create(name, options), models.list(), and each architecture's builder. */
export { create, list, register, type ModelInfo } from './registry.js';
export { lenet5, lenet, type LeNet5Options } from './lenet.js';
export { AlexNet } from './alexnet.js';
export { VGG, VGG_CONFIGS, vggFeatures } from './vgg.js';
export { ResNet, BasicBlock, Bottleneck, type ResNetOptions } from './resnet.js';
export { DenseNet, DenseBlock, DenseLayer, transition, type DenseNetOptions } from './densenet.js';
export { SqueezeNet, Fire } from './squeezenet.js';
export { MobileNetV2, InvertedResidual, type MobileNetV2Options } from './mobilenet.js';
export { EfficientNet, MBConv, SqueezeExcitation, StochasticDepth, compoundScaling, EFFICIENTNET_VARIANTS, type EfficientNetScaling } from './efficientnet.js';
export { GoogLeNet, Inception, InceptionAux, BasicConv2d } from './googlenet.js';
export { convNormAct, makeDivisible } from './blocks.js';
export { CifarResNet, CifarBlock } from './resnet_cifar.js';
export { alexnet2012, zfnet, vggALrn, vggC, nin, MobileNetV1, SimpNet } from './lecture.js';
export { PreActBlock, PreActBottleneck, PreActResNet, preactResnet18, preactResnetCifar, wideResnetCifar, SEBottleneck, seResnet50 } from './preact.js';
export { DenseNetBC, VGGCifar, mobilenetV2Cifar } from './cifar.js';
