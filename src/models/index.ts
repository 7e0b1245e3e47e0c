/** The model zoo: models.create(name, options), models.list(), and each architecture's builder. */
export { create, list, register, type ModelInfo } from './registry.js';
export { lenet5, lenet, type LeNet5Options } from './lenet.js';
