/**
 * The playground's training core in Node: what the Worker runs (TrainingSession), the configuration checks, the
 * learning-rate schedules and the configuration carried in a link.
 */
import { describe, expect, it } from 'vitest';
import { data, tensor } from '../src/index.js';
import { TrainingSession } from '../playground/src/trainer/session.js';
import { mnistTask } from './helpers/playground_task.js';
import { configErrors, defaultConfig, scheduledLr, type TrainConfig } from '../playground/src/trainer/config.js';
import { decodeConfig, encodeConfig, parseHash } from '../playground/src/share.js';
import { toMnist } from '../playground/src/draw/preprocess.js';
import { RACERS, SURFACES, surfacePath } from '../playground/src/race/race.js';
import { toySet, toyDataErrors } from '../playground/src/toy/datasets.js';
import { defaultRaceConfig, raceConfigErrors } from '../playground/src/demos/race.js';
import { groupByFolder } from '../playground/src/demos/model.js';

describe('TrainingSession (the Worker’s training)', () => {
  it('trains the default MNIST network past 90% validation accuracy in 300 steps, and every view has its shape', async () => {
    const s = new TrainingSession(await mnistTask(20_000, 1000), defaultConfig('mnist'));
    const before = await s.evaluate();
    expect(before.accuracy).toBeLessThan(0.3);
    let last;
    for (let i = 0; i < 300; i++) last = await s.trainStep();
    expect(last!.step).toBe(300);
    expect(last!.epoch).toBeCloseTo((300 * 32) / 20_000, 10);
    expect(last!.forwardMs).toBeGreaterThan(0);
    const e = await s.evaluate();
    expect(e.accuracy).toBeGreaterThan(0.9);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(1000);
    expect(e.confusion.reduce((a, row, i) => a + row[i], 0)).toBe(Math.round(e.accuracy * 1000));
    for (let i = 1; i < e.wrong.length; i++) expect(e.wrong[i].confidence).toBeLessThanOrEqual(e.wrong[i - 1].confidence);
    const p = await s.predict([0, 1, 2]);
    expect(p.map((x) => x.top.length)).toEqual([3, 3, 3]);
    for (const x of p) expect(x.top[0].p).toBeGreaterThanOrEqual(x.top[1].p);
    const { activations, probs } = await s.activations(0);
    expect(activations.map((a) => a.shape)).toEqual(s.shapes);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect((await s.filters()).map((f) => f.shape)).toEqual([
      [8, 1, 5, 5],
      [16, 8, 5, 5],
    ]);
    expect((await s.filters())[0].grads.some((g) => g !== 0)).toBe(true);
  });

  it('is deterministic for a seed (a shared link trains the same network), and hyperparameters change while it trains', async () => {
    const task = await mnistTask(2000, 200);
    const run = async (c: TrainConfig) => {
      const s = new TrainingSession(task, c);
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) losses.push((await s.trainStep()).loss);
      return losses;
    };
    const c = { ...defaultConfig('mnist'), augment: ['translate', 'erase'] as TrainConfig['augment'] };
    expect(await run(c)).toEqual(await run(c));
    expect(await run({ ...c, seed: 2 })).not.toEqual(await run(c));
    const s = new TrainingSession(task, { ...c, schedule: 'cosine', epochs: 1 });
    expect((await s.trainStep()).lr).toBe(c.lr);
    s.update({ ...s.config, lr: 0.5, optimizer: 'sgd', batchSize: 8 });
    const st = await s.trainStep();
    expect(st.lr).toBeCloseTo(scheduledLr({ lr: 0.5, schedule: 'cosine' }, 1, 250), 12);
    expect(st.accuracy * 8).toBe(Math.round(st.accuracy * 8)); // a batch of 8
  });

  it('rejects a network that does not end in one output per class, naming the last line', async () => {
    const task = await mnistTask(100, 100);
    expect(() => new TrainingSession(task, { ...defaultConfig('mnist'), network: 'Flatten()\nLinear(784, 12)' })).toThrow(
      /^network line 2: the network must end with 10 outputs \(one per class\) for MNIST, it ends with shape \[12\]$/,
    );
    expect(() => new TrainingSession(task, { ...defaultConfig('mnist'), network: 'Flatten()\nLinear(748, 10)' })).toThrow(/^network line 2: .*Linear/);
  });
});

describe('schedules and configurations', () => {
  it('schedules follow their closed forms and hold after the horizon', () => {
    const lr = (schedule: TrainConfig['schedule'], step: number) => scheduledLr({ lr: 1, schedule }, step, 100);
    expect([0, 50, 100, 150].map((s) => lr('constant', s))).toEqual([1, 1, 1, 1]);
    expect([0, 49, 50, 74, 75, 200].map((s) => lr('step', s))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01]);
    expect(lr('cosine', 50)).toBeCloseTo(0.5, 12);
    expect(lr('cosine', 100)).toBeCloseTo(0, 12);
    expect(lr('linear', 25)).toBeCloseTo(0.75, 12);
    expect(lr('warmup-cosine', 0)).toBeCloseTo(0.2, 12);
    expect(lr('warmup-cosine', 4)).toBeCloseTo(1, 12);
    expect(lr('warmup-cosine', 5)).toBeCloseTo(1, 12);
    expect(lr('warmup-cosine', 100)).toBeCloseTo(0, 12);
  });

  it('a configuration survives the link, and a bad link says what is wrong', () => {
    const c: TrainConfig = { ...defaultConfig('cifar10'), lr: 0.0123, network: 'Conv2d(3, 4, 3)  # ünïcode comment\nFlatten()\nLinear(3600, 10)' };
    const { route, config } = parseHash(`#/cifar10?c=${encodeConfig(c)}`);
    expect(route).toBe('cifar10');
    expect(decodeConfig(config!, defaultConfig('cifar10'))).toEqual(c);
    expect(() => decodeConfig('not base64!', defaultConfig('mnist'))).toThrow(/not readable/);
    expect(() => decodeConfig(encodeConfig({ ...c, lr: -1, optimizer: 'lion' as never }), defaultConfig('mnist'))).toThrow(
      /invalid: optimizer: one of sgd, .*, got 'lion'; learning rate: in \(0, 10\], got -1/,
    );
    expect(configErrors(defaultConfig('mnist'))).toEqual([]);
  });
});

describe('a drawing made MNIST-like', () => {
  it('an MNIST digit drawn 10× larger, off-centre, comes back close to itself; no ink gives null', async () => {
    const test = await data.mnist({ train: false });
    const size = 300;
    for (const index of [0, 1, 2, 3, 4]) {
      const ink = new Float32Array(size * size);
      // 10× larger, shifted to the top-left corner of the drawing area.
      for (let y = 0; y < 280; y++)
        for (let x = 0; x < 280; x++) ink[y * size + x] = test.images[index * 784 + Math.floor(y / 10) * 28 + Math.floor(x / 10)] / 255;
      const out = toMnist(ink, size)!;
      const orig = Float32Array.from(test.images.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
      // Cosine similarity at the best shift of at most one pixel (centring by the centre of mass rounds).
      let best = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          let dot = 0;
          let n1 = 0;
          let n2 = 0;
          for (let y = 0; y < 28; y++)
            for (let x = 0; x < 28; x++) {
              const a = out[y * 28 + x];
              const b = y + dy >= 0 && y + dy < 28 && x + dx >= 0 && x + dx < 28 ? orig[(y + dy) * 28 + x + dx] : 0;
              dot += a * b;
              n1 += a * a;
              n2 += b * b;
            }
          best = Math.max(best, dot / Math.sqrt(n1 * n2));
        }
      expect(best, `test image ${index}`).toBeGreaterThan(0.99);
    }
    expect(toMnist(new Float32Array(100), 10)).toBeNull();
  });
});

describe('the optimizers race, on 2-D surfaces', () => {
  const racer = (id: string) => RACERS.find((r) => r.id === id)!;
  const end = (surface: 'quadratic' | 'rosenbrock' | 'saddle', id: string, steps = 300) =>
    surfacePath(surface, racer(id), racer(id).lr[surface], steps).at(-1)!;
  it('at their default rates: momentum beats plain SGD along the ill-conditioned valley; Adam runs down Rosenbrock’s valley, SGD crawls; all but SGD leave the saddle', () => {
    const dist = (p: [number, number], q: [number, number]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
    expect(dist(end('quadratic', 'momentum'), [0, 0])).toBeLessThan(dist(end('quadratic', 'sgd'), [0, 0]) / 10);
    const rosen = (p: [number, number]) => SURFACES.rosenbrock.value(p[0], p[1]);
    expect(rosen(end('rosenbrock', 'adam'))).toBeLessThan(0.5); // from 12.5
    expect(rosen(end('rosenbrock', 'sgd'))).toBeGreaterThan(10 * rosen(end('rosenbrock', 'adam'))); // SGD crawls along the curved valley
    // The lecture's saddle picture: plain SGD is still on the ridge after 300 steps, every other optimizer has left it.
    expect(Math.abs(end('saddle', 'sgd')[1])).toBeLessThan(0.1);
    for (const r of RACERS.filter((r) => r.id !== 'sgd')) expect(Math.abs(end('saddle', r.id)[1]), r.id).toBeGreaterThan(0.5);
    for (const r of RACERS)
      for (const s of ['quadratic', 'rosenbrock', 'saddle'] as const) expect(surfacePath(s, r, r.lr[s], 300), `${r.id} on ${s}`).toHaveLength(301);
  });
  it('a diverging path stops where it leaves the plane, and the surfaces agree with their plain-number values', () => {
    expect(surfacePath('rosenbrock', racer('sgd'), 0.1, 300).length).toBeLessThan(301);
    for (const s of Object.values(SURFACES)) {
      const p = [0.3, -0.7];
      expect(s.loss(tensor(p)).item()).toBeCloseTo(s.value(p[0], p[1]), 4);
    }
  });
  it('race and toy-data settings from a link are checked', () => {
    expect(raceConfigErrors(defaultRaceConfig())).toEqual([]);
    expect(raceConfigErrors({ ...defaultRaceConfig(), surface: 'himmelblau' as never, steps: 1e9, enabled: ['lion'] })).toEqual([
      "surface: one of quadratic, rosenbrock, saddle, got 'himmelblau'",
      'steps: an integer in 1…5000, got 1000000000',
      'optimizers: any of sgd, momentum, nesterov, rmsprop, adagrad, adadelta, adam, adamw',
    ]);
    expect(toyDataErrors({ toySet: 'moons', points: 1e7, noise: -1 })).toHaveLength(3);
    const a = toySet('spiral', 100, 0.03, 5);
    expect(toySet('spiral', 100, 0.03, 5)).toEqual(a);
    expect(a.labels.filter((l) => l === 1)).toHaveLength(50);
    expect(a.xy.every((v) => v >= -1 && v <= 1)).toBe(true);
  });
});

describe('fine-tuning images grouped by folder', () => {
  it('one class per parent folder (sorted), only PNG/JPEG files, loose files ignored', () => {
    const files = ['pets/cats/1.png', 'pets/dogs/a.JPG', 'pets/cats/2.jpeg', 'pets/readme.txt', 'pets/dogs/notes.md', 'loose.png', 'pets/birds/x.png'].map(
      (path) => ({ path }),
    );
    const { classes, byClass } = groupByFolder(files);
    expect(classes).toEqual(['birds', 'cats', 'dogs']);
    expect(byClass.get('cats')).toEqual([0, 2]);
    expect(byClass.get('dogs')).toEqual([1]);
    expect(byClass.get('birds')).toEqual([6]);
  });
});
