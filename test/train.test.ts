/** fit(): learning, metrics, early stopping, callbacks, checkpoints and exact resume, logs and charts. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as ct from '../src/index.js';
import { data, nn, optim, train } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

const dir = tempDir('train');

/** Two Gaussian blobs per class in 2-D: learnable in a few epochs by a tiny MLP. */
function blobs(n: number, seed: number): data.TensorDataset {
  const g = new ct.Generator(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    y[i] = k;
    x[2 * i] = Math.cos((k * 2 * Math.PI) / 3) * 2 + g.normal() * 0.5;
    x[2 * i + 1] = Math.sin((k * 2 * Math.PI) / 3) * 2 + g.normal() * 0.5;
  }
  return new data.TensorDataset(ct.tensor(x, [n, 2]), ct.tensor(y, [n], { dtype: 'int32' }));
}

function setup(seed = 0) {
  ct.manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(16, 3));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const scheduler = new optim.StepLR(optimizer, 2, 0.5);
  const trainLoader = new data.DataLoader(blobs(240, 1), { batchSize: 16, shuffle: true, seed: 3 });
  const valLoader = new data.DataLoader(blobs(60, 2), { batchSize: 30 });
  const testLoader = new data.DataLoader(blobs(90, 4), { batchSize: 30 });
  return { model, optimizer, scheduler, trainLoader, valLoader, testLoader };
}

describe('fit', () => {
  it('learns, reports train/validation/test metrics, and writes checkpoints, weights, JSONL and SVG', async () => {
    const s = setup();
    const out = join(dir, 'run1');
    const calls: number[] = [];
    const r = await train.fit(s.model, { ...s, epochs: 4, outDir: out, callbacks: [{ onEpochEnd: (rec) => void calls.push(rec.epoch) }] });
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(r.history).toHaveLength(4);
    expect(r.history[3].train.loss).toBeLessThan(r.history[0].train.loss);
    expect(r.test!.acc).toBeGreaterThan(0.9);
    expect(r.test!.top5).toBe(1);
    expect(r.history.map((h) => h.lr)).toEqual([0.1, 0.1, 0.05, 0.05]);
    for (const f of ['last.ckpt.safetensors', 'best.ckpt.safetensors', 'model.safetensors', 'metrics.jsonl', 'curves.svg'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    expect(lines[0]).toHaveProperty('val.acc');
    const svg = readFileSync(join(out, 'curves.svg'), 'utf8');
    for (const part of ['<svg', 'loss', 'accuracy', 'epoch', 'train', 'validation']) expect(svg).toContain(part);
    expect(svg.match(/class="mark-line /g)).toHaveLength(4); // train and validation, in the loss and the accuracy panel
    const weights = await ct.io.loadSafetensors(join(out, 'model.safetensors'));
    expect(Object.keys(weights).sort()).toEqual(Object.keys(s.model.stateDict()).sort());
  });

  it('resuming from a checkpoint reaches the same weights as an uninterrupted run', async () => {
    const full = setup();
    await train.fit(full.model, { ...full, epochs: 5, outDir: join(dir, 'full') });
    const part = setup();
    await train.fit(part.model, { ...part, epochs: 2, outDir: join(dir, 'part') });
    // A fresh process would rebuild everything from scratch (other random init) and then resume.
    const resumed = setup(99);
    await train.fit(resumed.model, { ...resumed, epochs: 5, outDir: join(dir, 'part'), resume: join(dir, 'part', 'last.ckpt.safetensors') });
    const a = full.model.stateDict();
    const b = resumed.model.stateDict();
    for (const k of Object.keys(a)) expect(b[k].data(), k).toEqual(a[k].data());
    expect(resumed.optimizer.paramGroups[0].lr).toBe(full.optimizer.paramGroups[0].lr);
    const lines = readFileSync(join(dir, 'part', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).epoch)).toEqual([1, 2, 3, 4, 5]);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const s = setup();
    const opt = new optim.SGD(s.model.parameters(), { lr: 0 }); // no learning: validation loss never improves after epoch 1
    let bestSnapshot: Record<string, ct.Tensor> | null = null;
    const r = await train.fit(s.model, {
      ...s,
      optimizer: opt,
      scheduler: null,
      epochs: 10,
      earlyStopping: { patience: 2, restoreBest: true },
      callbacks: [
        {
          onEpochEnd: (rec, ctx) =>
            void (rec.epoch === 1 && (bestSnapshot = Object.fromEntries(Object.entries(ctx.model.stateDict()).map(([k, v]) => [k, v.clone()])))),
        },
      ],
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history).toHaveLength(3);
    expect(r.bestEpoch).toBe(1);
    for (const [k, v] of Object.entries(s.model.stateDict())) expect(v.data()).toEqual(bestSnapshot![k].data());
  });

  it('a callback can stop training; OneCycleLR steps per batch; a diverging loss is a clear error', async () => {
    const s = setup();
    const r = await train.fit(s.model, { ...s, epochs: 5, callbacks: [{ onEpochEnd: (rec, ctx) => void (ctx.stop = rec.epoch === 2) }] });
    expect(r.history).toHaveLength(2);
    const o = setup();
    const sched = new optim.OneCycleLR(o.optimizer, 0.2, { totalSteps: 2 * o.trainLoader.length });
    await train.fit(o.model, { ...o, scheduler: sched, scheduleEvery: 'step', epochs: 2 });
    expect(sched.lastEpoch).toBe(2 * o.trainLoader.length);
    expect(o.optimizer.paramGroups[0].lr).toBeLessThan(0.2 / 100);
    const d = setup();
    const bad = new optim.SGD(d.model.parameters(), { lr: 1e30 });
    await expect(train.fit(d.model, { ...d, optimizer: bad, scheduler: null, epochs: 2 })).rejects.toThrow(/the loss became (NaN|Infinity) at epoch 1/);
  });

  it('loadCheckpoint refuses a checkpoint of another model', async () => {
    const s = setup();
    await train.fit(s.model, { ...s, epochs: 1, outDir: join(dir, 'ck') });
    const other = new nn.Sequential(new nn.Linear(2, 5), new nn.ReLU(), new nn.Linear(5, 3));
    const opt = new optim.SGD(other.parameters(), { lr: 0.1 });
    await expect(train.loadCheckpoint(join(dir, 'ck', 'last.ckpt.safetensors'), other, opt, null)).rejects.toThrow(
      /does not match this model: .*shape mismatches/,
    );
    await expect(train.loadCheckpoint(join(dir, 'ck', 'model.safetensors'), other, opt, null)).rejects.toThrow(/not a convnet-ts checkpoint/);
  });

  it('top-k accuracy counts the label among the k largest logits', () => {
    const logits = ct.tensor([
      [0.1, 0.5, 0.4],
      [0.9, 0.05, 0.05],
    ]);
    const y = ct.tensor([2, 0], undefined, { dtype: 'int32' });
    expect(train.topkCorrect(logits, y, 1)).toBe(1);
    expect(train.topkCorrect(logits, y, 2)).toBe(2);
  });
});

describe('progress reporting', () => {
  const step = (s: number) => ({ epoch: 1, epochs: 2, step: s, steps: 4, loss: 0.5, acc: 0.75, imagesPerSecond: 123 });
  it('plain lines every N steps and at the end of the epoch (for CI and pipes)', async () => {
    const lines: string[] = [];
    const p = train.lineProgress((s) => lines.push(s), 2);
    await p.startEpoch(1, 2, 4);
    for (let s = 1; s <= 4; s++) p.step(step(s));
    p.endEpoch('epoch 1/2 done');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^epoch 1\/2 step 2\/4 loss 0.5000 acc 75.00% 123 img\/s eta \d+s$/);
    expect(lines[2]).toBe('epoch 1/2 done');
  });
  it('the ETA covers the whole run, not the epoch, and durations never read like 7m60s', async () => {
    expect(['0s', '42s', '7m05s', '8m00s', '1h02m', '2h00m'].join()).toBe([0.2, 42.4, 425, 479.6, 3725, 7199].map(train.formatDuration).join());
    let now = 0;
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const lines: string[] = [];
      const p = train.lineProgress((s) => lines.push(s), 1);
      await p.startEpoch(1, 3, 4);
      now = 1000; // one step per second: 3 steps of this epoch and 2 epochs of 4 remain
      p.step(step(1));
      expect(lines[0]).toMatch(/ eta 11s$/);
      now = 4000;
      p.step(step(4));
      await p.startEpoch(2, 3, 4);
      now = 65_000; // a slow epoch: 5 steps in 65 s, 7 to go
      p.step({ ...step(1), epoch: 2, epochs: 3 });
      expect(lines.at(-1)).toMatch(/ eta 1m31s$/);
    } finally {
      spy.mockRestore();
    }
  });
  it('plain lines come at least every 30 s, however many steps an epoch has', async () => {
    let now = 0;
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const lines: string[] = [];
      const p = train.lineProgress((s) => lines.push(s), 1000);
      await p.startEpoch(1, 1, 5000);
      for (let s = 1; s <= 100; s++) {
        now = s * 1000; // one step per second, a line every 1000 steps: too rare on its own
        p.step({ ...step(s), steps: 5000 });
      }
      expect(lines.map((l) => l.match(/step (\d+)\//)![1])).toEqual(['30', '60', '90']);
    } finally {
      spy.mockRestore();
    }
  });
  it('the terminal bar (cli-progress) starts, updates and stops', async () => {
    const logs: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => void logs.push(a.join(' '));
    try {
      const p = train.barProgress();
      await p.startEpoch(1, 2, 4);
      for (let s = 1; s <= 4; s++) p.step(step(s));
      p.endEpoch('epoch 1/2 summary');
    } finally {
      console.log = orig;
    }
    expect(logs).toContain('epoch 1/2 summary');
  });
});
