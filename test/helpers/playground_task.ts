/** The playground's MNIST task (what its training Worker builds) from the bundled MNIST, for tests in Node. */
import { data } from '../../src/index.js';
import type { Task } from '../../playground/src/trainer/session.js';

export async function mnistTask(train: number, val: number): Promise<Task> {
  const all = await data.mnist({ train: true });
  const test = await data.mnist({ train: false });
  const per = 784;
  const at = (from: number, n: number) =>
    new data.ImageDataset(all.images.subarray(from * per, (from + n) * per), all.labels.subarray(from, from + n), [1, 28, 28], all.classes);
  return {
    name: 'MNIST',
    classes: data.MNIST_CLASSES,
    sampleShape: [1, 28, 28],
    mean: [0.1307],
    std: [0.3081],
    train: at(0, train),
    val: at(50_000, val),
    test,
  };
}
