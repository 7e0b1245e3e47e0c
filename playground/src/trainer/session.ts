/**
 * One demo's training, step by step: the network built from its text, the optimizer and schedule of the config,
 * batches with the chosen augmentation, and what the views ask for (validation with a confusion matrix, per-layer
 * activations, filters and their gradients, top-3 predictions). Plain library code with no DOM or Worker in it, so
 * Node's tests drive it directly; the Worker (trainer.worker.ts) only moves messages.
 */
import { Generator, manualSeed, crossEntropy, noGrad, softmax, tensor, nn, optim, data, type Tensor } from '../../../src/index.js';
import { scheduledLr, type TrainConfig } from './config.js';

/** A classification task: uint8 images in [C, H, W] with their labels, split three ways. */
export interface Task {
  name: string;
  classes: readonly string[];
  sampleShape: [number, number, number];
  /** Per-channel mean and std of the training images (the inputs are normalized with them). */
  mean: number[];
  std: number[];
  train: data.ImageDataset;
  val: data.ImageDataset;
  test: data.ImageDataset;
}

export interface StepStats {
  step: number;
  /** Fractional epoch. */
  epoch: number;
  loss: number;
  /** Accuracy of this step's batch (train mode). */
  accuracy: number;
  lr: number;
  /** Forward (and loss) time per example, ms. */
  forwardMs: number;
  /** Backward and optimizer step per example, ms. */
  backwardMs: number;
}

export interface Evaluation {
  step: number;
  epoch: number;
  loss: number;
  accuracy: number;
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  /** The most confidently wrong validation images (most confident first). */
  wrong: { index: number; label: number; predicted: number; confidence: number }[];
}

export interface LayerActivation {
  /** The layer's line, e.g. "Conv2d(1, 8, kernel_size=(5, 5), ...)". */
  layer: string;
  /** Output shape of one example ([C, H, W] or [F]). */
  shape: number[];
  values: Float32Array;
}

export interface Prediction {
  index: number;
  label: number;
  /** The three most probable classes with their probabilities. */
  top: { cls: number; p: number }[];
}

export interface FilterView {
  layer: string;
  /** [C_out, C_in, kH, kW]. */
  shape: number[];
  weights: Float32Array;
  /** Gradients of the last step (zeros before the first). */
  grads: Float32Array;
}

/** Builds the optimizer the config names over the model's parameters. */
export function makeOptimizer(c: TrainConfig, params: nn.Parameter[]): optim.Optimizer<{ lr: number }> {
  const wd = c.weightDecay;
  switch (c.optimizer) {
    case 'sgd':
      return new optim.SGD(params, { lr: c.lr, momentum: c.momentum, weightDecay: wd });
    case 'nesterov':
      return new optim.SGD(params, { lr: c.lr, momentum: c.momentum || 0.9, nesterov: true, weightDecay: wd });
    case 'rmsprop':
      return new optim.RMSprop(params, { lr: c.lr, weightDecay: wd });
    case 'adagrad':
      return new optim.Adagrad(params, { lr: c.lr, weightDecay: wd });
    case 'adadelta':
      return new optim.Adadelta(params, { lr: c.lr, weightDecay: wd });
    case 'adam':
      return new optim.Adam(params, { lr: c.lr, betas: [c.momentum, 0.999], weightDecay: wd });
    case 'adamw':
      return new optim.AdamW(params, { lr: c.lr, betas: [c.momentum, 0.999], weightDecay: wd });
  }
}

/** The augmentation transforms the config names, for this task's image size. */
function augmentation(c: TrainConfig, sampleShape: readonly number[]): data.Transform[] {
  const t = data.transforms;
  const size = sampleShape[1];
  const out: data.Transform[] = [];
  for (const a of c.augment) {
    if (a === 'translate') out.push(t.randomTranslate(Math.max(1, Math.round(size / 14))));
    if (a === 'rotate') out.push(t.randomRotation(12));
    if (a === 'flip') out.push(t.randomHorizontalFlip());
    if (a === 'erase') out.push(t.randomErasing({ p: 0.5 }));
    if (a === 'noise') out.push(t.gaussianNoise(0.1));
  }
  return out;
}

export class TrainingSession {
  readonly model: nn.Sequential;
  /** Each layer's output shape for one example. */
  readonly shapes: number[][];
  readonly layerNames: string[];
  private opt: optim.Optimizer<{ lr: number }>;
  private readonly gen: Generator;
  private order: number[] = [];
  private cursor = 0;
  private normalize: data.Transform;
  private augment: data.Transform | null;
  step = 0;
  config: TrainConfig;

  constructor(
    readonly task: Task,
    config: TrainConfig,
  ) {
    this.config = { ...config, augment: [...config.augment] };
    // The library's seeded RNG makes a configuration reproducible: the same link trains the same network.
    this.gen = new Generator(config.seed);
    manualSeed(config.seed); // the initial weights come from the library's global RNG
    const { model, shapes } = nn.sequentialFromText(config.network, { inputShape: task.sampleShape });
    const out = shapes.at(-1)!;
    if (out.length !== 1 || out[0] !== task.classes.length) {
      throw new nn.NetworkTextError(
        config.network.split('\n').length,
        `the network must end with ${task.classes.length} outputs (one per class) for ${task.name}, it ends with shape [${out.join(', ')}]`,
      );
    }
    this.model = model;
    this.shapes = shapes;
    this.layerNames = [...model.children()].map((m) => String(m).split('\n')[0]);
    this.opt = makeOptimizer(this.config, model.parameters());
    this.normalize = data.transforms.normalize(task.mean, task.std);
    const aug = augmentation(this.config, task.sampleShape);
    this.augment = aug.length ? data.transforms.compose(...aug) : null;
  }

  get stepsPerEpoch(): number {
    return Math.ceil(this.task.train.length / this.config.batchSize);
  }

  get parameterCount(): number {
    return this.model.parameters().reduce((s, p) => s + p.numel(), 0);
  }

  /** Changes hyperparameters while training: rates and decay in place; another optimizer starts its state afresh. */
  update(c: TrainConfig): void {
    const prev = this.config;
    this.config = { ...c, augment: [...c.augment], network: prev.network, seed: prev.seed };
    if (c.optimizer !== prev.optimizer || c.momentum !== prev.momentum) this.opt = makeOptimizer(this.config, this.model.parameters());
    for (const g of this.opt.paramGroups) (g as { weightDecay?: number }).weightDecay = c.weightDecay;
    const aug = augmentation(this.config, this.task.sampleShape);
    this.augment = aug.length ? data.transforms.compose(...aug) : null;
  }

  private nextIndices(): number[] {
    const n = this.task.train.length;
    const bs = Math.min(this.config.batchSize, n);
    if (this.cursor + bs > this.order.length) {
      this.order = data.permutation(n, this.gen);
      this.cursor = 0;
    }
    const idx = this.order.slice(this.cursor, this.cursor + bs);
    this.cursor += bs;
    return idx;
  }

  private inputs(ds: data.ImageDataset, indices: readonly number[], train: boolean): { x: Tensor; y: Tensor } {
    let b = ds.getBatch(indices);
    if (train && this.augment) b = this.augment.apply(b, this.gen);
    b = this.normalize.apply(b, this.gen);
    return { x: tensor(b.x, b.shape), y: tensor(b.y, [b.y.length], { dtype: 'int32' }) };
  }

  /** One optimization step on the next batch (its loss and accuracy read back once it has run: on webgpu, a wait). */
  async trainStep(): Promise<StepStats> {
    const indices = this.nextIndices();
    const { x, y } = this.inputs(this.task.train, indices, true);
    const lr = scheduledLr(this.config, this.step, this.config.epochs * this.stepsPerEpoch);
    for (const g of this.opt.paramGroups) g.lr = lr;
    this.model.train();
    const t0 = performance.now();
    const logits = this.model.forward(x);
    const loss = crossEntropy(logits, y);
    const t1 = performance.now();
    this.opt.zeroGrad();
    loss.backward();
    this.opt.step();
    const [lossValues, pred, labels] = await Promise.all([loss.dataAsync(), noGrad(() => logits.argmax(1)).dataAsync(), y.dataAsync()]);
    const t2 = performance.now();
    const lossValue = lossValues[0];
    if (!Number.isFinite(lossValue)) throw new Error(`the loss became ${lossValue} at step ${this.step + 1}: lower the learning rate and reset`);
    let correct = 0;
    for (let i = 0; i < pred.length; i++) correct += pred[i] === labels[i] ? 1 : 0;
    this.step++;
    return {
      step: this.step,
      epoch: this.step / this.stepsPerEpoch,
      loss: lossValue,
      accuracy: correct / indices.length,
      lr,
      forwardMs: (t1 - t0) / indices.length,
      backwardMs: (t2 - t1) / indices.length,
    };
  }

  /** Logits of images in eval mode, in chunks. */
  private async logits(ds: data.ImageDataset, indices: readonly number[]): Promise<{ probs: Float32Array; labels: Int32Array }> {
    const k = this.task.classes.length;
    const probs = new Float32Array(indices.length * k);
    const labels = new Int32Array(indices.length);
    this.model.eval();
    try {
      for (let s = 0; s < indices.length; s += 500) {
        const chunk = indices.slice(s, s + 500);
        const { x, y } = this.inputs(ds, chunk, false);
        const p = noGrad(() => softmax(this.model.forward(x), 1));
        probs.set((await p.dataAsync()) as Float32Array, s * k);
        labels.set((await y.dataAsync()) as Int32Array, s);
      }
    } finally {
      this.model.train();
    }
    return { probs, labels };
  }

  /**
   * Loss, accuracy, confusion matrix and the most confidently wrong images on (up to `limit` of) the validation set,
   * or of the training images (eval mode, no augmentation) with split 'train'.
   */
  async evaluate(limit = Infinity, split: 'val' | 'train' = 'val'): Promise<Evaluation> {
    const ds = split === 'val' ? this.task.val : this.task.train;
    const n = Math.min(limit, ds.length);
    const k = this.task.classes.length;
    const { probs, labels } = await this.logits(
      ds,
      Array.from({ length: n }, (_, i) => i),
    );
    const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const wrong: Evaluation['wrong'] = [];
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
      confusion[labels[i]][best]++;
      loss -= Math.log(Math.max(probs[i * k + labels[i]], 1e-12));
      if (best === labels[i]) correct++;
      else wrong.push({ index: i, label: labels[i], predicted: best, confidence: probs[i * k + best] });
    }
    wrong.sort((a, b) => b.confidence - a.confidence);
    return { step: this.step, epoch: this.step / this.stepsPerEpoch, loss: loss / n, accuracy: correct / n, confusion, wrong: wrong.slice(0, 12) };
  }

  /** Top-3 predictions for test images. */
  async predict(indices: readonly number[]): Promise<Prediction[]> {
    const k = this.task.classes.length;
    const { probs, labels } = await this.logits(this.task.test, indices);
    return indices.map((index, i) => {
      const p = Array.from(probs.subarray(i * k, (i + 1) * k), (v, cls) => ({ cls, p: v }));
      p.sort((a, b) => b.p - a.p);
      return { index, label: labels[i], top: p.slice(0, 3) };
    });
  }

  /**
   * Every layer's output for one image (eval mode). `pixels`: a test image's index, or raw values in [0, 1] of
   * shape sampleShape (a drawing). Also returns the class probabilities.
   */
  async activations(image: number | Float32Array): Promise<{ activations: LayerActivation[]; probs: Float32Array }> {
    const raw = typeof image === 'number' ? this.task.test.getBatch([image]) : { x: image, shape: [1, ...this.task.sampleShape], y: new Int32Array(1) };
    const b = this.normalize.apply(raw, this.gen);
    this.model.eval();
    const outputs: Tensor[] = [];
    let probs: Tensor;
    try {
      probs = noGrad(() => {
        let h = tensor(b.x, b.shape);
        for (const m of this.model.children()) outputs.push((h = (m as nn.Module).forward(h) as Tensor));
        return softmax(h, 1);
      });
    } finally {
      this.model.train();
    }
    const values = await Promise.all(outputs.map((t) => t.dataAsync()));
    return {
      activations: outputs.map((h, i) => ({ layer: this.layerNames[i], shape: h.shape.slice(1), values: values[i] as Float32Array })),
      probs: (await probs.dataAsync()) as Float32Array,
    };
  }

  /** The weights and last gradients of every Conv2d (and the first Linear when there is no conv). */
  async filters(): Promise<FilterView[]> {
    const views: Promise<FilterView>[] = [];
    [...this.model.children()].forEach((m, i) => {
      if (!(m instanceof nn.Conv2d)) return;
      const w = m.weight;
      const g = w.grad;
      views.push(
        (async () => ({
          layer: this.layerNames[i],
          shape: w.shape.slice(),
          weights: (await w.dataAsync()) as Float32Array,
          grads: g ? ((await g.dataAsync()) as Float32Array) : new Float32Array(w.numel()),
        }))(),
      );
    });
    return Promise.all(views);
  }
}
