/** The `convnet` CLI: errors and exit codes, help, train → eval → predict → summary, and kill-then-resume equivalence. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import * as ort from 'onnxruntime-web';
import * as ct from '../src/index.js';
import { io } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';
import { syntheticImages, writeCifar10, writeMnist } from './helpers/synthetic.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir('cli');
const mnistDir = join(dir, 'mnist');
writeMnist(mnistDir, 700, 200);

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

async function run(...argv: string[]): Promise<number> {
  return main(argv);
}

describe('CLI errors are clear and exit non-zero', () => {
  it('unknown command, unknown flag, missing and bad values', async () => {
    expect(await run('trian')).toBe(2);
    expect(err.join('\n')).toContain("convnet: unknown command 'trian' (expected one of: train, eval, predict, summary, bench");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--epoch', '3')).toBe(2);
    expect(err.at(-1)).toMatch(/^convnet train: Unknown option '--epoch'/); // the command named once
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--epochs', '-1')).toBe(2);
    expect(err.at(-1)).toBe("convnet train: --epochs must be an integer >= 1, got '-1'");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--lr', '-0.1')).toBe(2);
    expect(err.at(-1)).toContain("--lr must be a positive finite number, got '-0.1'");
    expect(await run('train', '--model', 'resnet81', '--dataset', 'mnist')).toBe(2);
    expect(err.at(-1)).toContain("unknown model 'resnet81' (did you mean 'resnet18'? available: lenet5, lenet,");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'minst')).toBe(2);
    expect(err.at(-1)).toContain("unknown dataset 'minst' (did you mean 'mnist'?");
    expect(await run('train', '--dataset', 'mnist')).toBe(2);
    expect(err.at(-1)).toContain('--model is required');
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--epochs', '0')).toBe(2);
    expect(err.at(-1)).toContain("--epochs must be an integer >= 1, got '0'");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--lr', 'fast')).toBe(2);
    expect(err.at(-1)).toContain("--lr must be a positive finite number, got 'fast'");
    expect(await run('train', '--model', 'resnet9000', '--dataset', 'mnist')).toBe(2);
    expect(err.at(-1)).toContain("unknown model 'resnet9000'");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'svhn')).toBe(2);
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--augment', 'crop,zoom')).toBe(2);
    expect(err.at(-1)).toContain("unknown augmentation 'zoom'");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--optimizer', 'lion')).toBe(2);
    expect(err.at(-1)).toContain('--optimizer must be one of sgd, momentum, nesterov, rmsprop, adam, adamw, adadelta');
  });
  it('an unwritable --out fails at once through the real binary, and the process ends (no idle hang after an error)', () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const bin = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      [bin, 'train', '--model', 'lenet5', '--dataset', 'mnist', '--data-dir', mnistDir, '--epochs', '1', '--out', join(file, 'run')],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`convnet train: --out ${join(file, 'run')} is not a writable folder (ENOTDIR)`);
    expect(r.stdout).not.toMatch(/epoch 1\/1/); // checked before any training
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
  it('missing files are runtime errors (exit 1) naming the file', async () => {
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--data-dir', join(dir, 'missing'), '--quiet')).toBe(1);
    expect(err.at(-1)).toMatch(/train-images-idx3-ubyte.gz not found in .*missing/);
    expect(await run('eval', '--model', 'lenet5', '--weights', join(dir, 'nope.safetensors'), '--dataset', 'mnist', '--data-dir', mnistDir)).toBe(1);
    expect(err.at(-1)).toMatch(/cannot read .*nope.safetensors \(no such file\)/);
    expect(await run('predict', '--model', 'lenet5', '--weights', 'w')).toBe(2);
    expect(err.at(-1)).toContain('give at least one image file');
  });
  it('help for the tool and each command, with examples', async () => {
    expect(await run('--help')).toBe(0);
    expect(out.join('\n')).toMatch(/Commands:[\s\S]*train[\s\S]*Examples:/);
    for (const c of ['train', 'eval', 'predict', 'summary', 'bench']) {
      out = [];
      expect(await run(c, '--help')).toBe(0);
      expect(out.join('\n')).toContain(`convnet ${c}`);
    }
    expect(await run()).toBe(2);
  });
});

describe('train → eval → predict → summary', () => {
  const runDir = join(dir, 'run');
  let trained: { testAccuracy: number; testLoss: number } | null = null;
  it('trains with --json: the last line has the results and the paths written', async () => {
    const code = await run(
      'train',
      '--model',
      'lenet5',
      '--model-opts',
      'activation=relu,pooling=max',
      '--dataset',
      'mnist',
      '--data-dir',
      mnistDir,
      '--epochs',
      '2',
      '--batch-size',
      '32',
      '--val-split',
      '100',
      '--augment',
      'translate',
      '--warmup',
      '1',
      '--out',
      runDir,
      '--json',
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(out.at(-1)!);
    trained = result;
    for (const key of ['model', 'dataset', 'epochs', 'trainSeconds', 'testAccuracy', 'testLoss', 'paths']) expect(result).toHaveProperty(key);
    expect(result.model).toBe('lenet5');
    expect(result.epochs).toBe(2);
    expect(result.testAccuracy).toBeGreaterThan(0.5);
    for (const p of Object.values(result.paths) as string[]) expect(existsSync(p), p).toBe(true);
    expect(out.join('\n')).toContain('61,706 parameters');
  });
  it('eval reproduces the test accuracy from the weights file', async () => {
    expect(await run('eval', '--model', 'lenet5', '--weights', join(runDir, 'model.safetensors'), '--dataset', 'mnist', '--data-dir', mnistDir, '--json')).toBe(
      0,
    );
    const r = JSON.parse(out.at(-1)!);
    expect(r.images).toBe(200);
    const log = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8');
    expect(log.trim().split('\n')).toHaveLength(2);
    expect(r.testAccuracy).toBe(trained!.testAccuracy);
    expect(r.testLoss).toBeCloseTo(trained!.testLoss, 6);
  });
  it('eval reads weights by their bytes: the same weights as ONNX, or as safetensors under another extension', async () => {
    const onnxFile = join(dir, 'weights-as.onnx');
    expect(await run('export', '--model', 'lenet5', '--weights', join(runDir, 'model.safetensors'), '--out', onnxFile, '--json')).toBe(0);
    const renamed = join(dir, 'model.bin');
    writeFileSync(renamed, readFileSync(join(runDir, 'model.safetensors')));
    for (const weights of [onnxFile, renamed]) {
      expect(
        await run(
          'eval',
          '--model',
          'lenet5',
          '--model-opts',
          'activation=relu,pooling=max',
          '--weights',
          weights,
          '--dataset',
          'mnist',
          '--data-dir',
          mnistDir,
          '--json',
        ),
        weights,
      ).toBe(0);
      expect(JSON.parse(out.at(-1)!).testAccuracy, weights).toBe(trained!.testAccuracy);
    }
    writeFileSync(renamed, 'not weights at all');
    expect(await run('eval', '--model', 'lenet5', '--weights', renamed, '--dataset', 'mnist', '--data-dir', mnistDir)).not.toBe(0);
    expect(err.join('\n')).toMatch(/model\.bin: not a weights file convnet-ts reads \(safetensors, PyTorch \.pth\/\.pt or ONNX/);
  });
  it('predict ranks classes for PNG files with probabilities', async () => {
    const { images } = syntheticImages(4, 10, 28, 1, 1);
    const rgba = new Uint8Array(28 * 28 * 4);
    for (let i = 0; i < 784; i++) {
      const v = images[3 * 784 + i];
      rgba.set([v, v, v, 255], i * 4);
    }
    const file = join(dir, 'three.png');
    writeFileSync(file, encodePng({ width: 28, height: 28, data: rgba, channels: 4, depth: 8 }));
    expect(await run('predict', '--model', 'lenet5', '--weights', join(runDir, 'model.safetensors'), '--top', '3', '--json', file)).toBe(0);
    const r = JSON.parse(out.at(-1)!);
    expect(r.predictions[0].top).toHaveLength(3);
    const probs = r.predictions[0].top.map((t: { probability: number }) => t.probability);
    expect(probs[0]).toBeGreaterThanOrEqual(probs[1]);
    expect(r.predictions[0].top[0].class).toBe('3');
  });
  it("export writes ONNX that ONNX Runtime runs with the trained model's outputs, at any batch size", async () => {
    const file = join(dir, 'lenet5.onnx');
    expect(await run('export', '--model', 'lenet5', '--weights', join(runDir, 'model.safetensors'), '--out', file, '--json')).toBe(0);
    const r = JSON.parse(out.at(-1)!);
    expect(r).toMatchObject({ out: file, opset: 17, input: '[batch, 1, 32, 32]', dynamicBatch: true });
    expect(r.checkRelError).toBeLessThanOrEqual(1e-5);
    const model = ct.models.create('lenet5', { activation: 'relu', pooling: 'max' });
    model.loadStateDict(await io.loadSafetensors(join(runDir, 'model.safetensors')));
    model.eval();
    const x = ct.randn([5, 1, 32, 32]);
    const session = await ort.InferenceSession.create(file);
    const y = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.data()), x.shape) })).output.data as Float32Array;
    const want = ct.noGrad(() => model.forward(x)).data();
    for (let i = 0; i < want.length; i++) expect(Math.abs(y[i] - want[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[i])));
    const imported = await io.loadOnnx(file);
    expect(imported.metadata.classes).toBe(JSON.stringify(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']));
    expect(
      await run(
        'export',
        '--model',
        'lenet5',
        '--weights',
        join(runDir, 'model.safetensors'),
        '--out',
        join(dir, 'static.onnx'),
        '--static-batch',
        '--batch',
        '4',
      ),
    ).toBe(0);
    expect(out.at(-2)).toContain('input [4, 1, 32, 32]');
    expect(await run('export', '--model', 'lenet6')).toBe(2);
    expect(err.at(-1)).toContain("export: unknown model 'lenet6'");
    expect(await run('export', '--model', 'resnet18', '--weights', join(runDir, 'model.safetensors'))).toBe(1);
    expect(err.at(-1)).toContain("holds weights of 'lenet5', not 'resnet18'");
  });
  it('summary prints the per-layer table; --json has the layers and totals', async () => {
    expect(await run('summary', 'lenet5')).toBe(0);
    // Small models read in K, not as "0 M multiply-adds, 0.0 MB".
    expect(out.join('\n')).toContain('lenet5 on 1×32×32: 61,706 parameters, 417 K multiply-adds, 32.1 KB of activations');
    expect(out.join('\n')).toMatch(/features\.0 +Conv2d +1×32×32 +6 +5 +1 +0 +6×28×28/);
    out = [];
    expect(await run('summary', 'alexnet', '--input', '3x227x227', '--json')).toBe(0);
    const j = JSON.parse(out.at(-1)!);
    expect(j.layers.find((l: { name: string }) => l.name === 'features.0')).toMatchObject({ outputShape: [1, 64, 56, 56], memoryKB: 784, params: 23296 });
    expect(j.total.params).toBe(61100840);
    expect(await run('summary', 'alexnet', '--input', '3x227')).toBe(2);
    out = [];
    expect(await run('summary', '--list')).toBe(0);
    expect(out.join('\n')).toContain('lenet5');
  });
  it('the weights load with io.loadSafetensors under PyTorch names', async () => {
    const w = await io.loadSafetensors(join(runDir, 'model.safetensors'));
    expect(Object.keys(w)).toContain('features.0.weight');
  });
});

describe('checkpoints survive a crash', () => {
  // One process (tsx as a loader, not tsx's CLI, which runs the script in a child): a signal reaches the training itself.
  const cli = ['--import', 'tsx', join(root, 'src', 'cli', 'bin.ts')];
  const args = (outDir: string) => [
    'train',
    '--model',
    'lenet5',
    '--model-opts',
    'activation=relu,pooling=max',
    '--dataset',
    'mnist',
    '--data-dir',
    mnistDir,
    '--epochs',
    '4',
    '--batch-size',
    '16',
    '--val-split',
    '100',
    '--augment',
    'translate',
    '--optimizer',
    'momentum',
    '--lr',
    '0.02',
    '--seed',
    '3',
    '--out',
    outDir,
    '--quiet',
  ];

  it('a run killed midway and resumed reaches the same final weights as an uninterrupted run', async () => {
    const a = join(dir, 'uninterrupted');
    const b = join(dir, 'killed');
    const full = spawnSync(process.execPath, [...cli, ...args(a)], { encoding: 'utf8' });
    expect(full.status, full.stderr).toBe(0);
    // --quiet silences progress, not the result.
    expect(full.stdout).toMatch(/^test: loss [\d.]+, top-1 [\d.]+%/m);
    expect(full.stdout).not.toMatch(/step \d+\/\d+/);

    const child = spawn(process.execPath, [...cli, ...args(b)], { stdio: 'ignore' });
    const log = join(b, 'metrics.jsonl');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(log) && readFileSync(log, 'utf8').trim().split('\n').length >= 2) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('training finished before it could be killed'));
      });
    });
    await exited;
    const epochsDone = readFileSync(log, 'utf8').trim().split('\n').length;
    expect(epochsDone).toBeLessThan(4);
    expect(existsSync(join(b, 'model.safetensors'))).toBe(false);

    const resumed = spawnSync(process.execPath, [...cli, ...args(b), '--resume', join(b, 'last.ckpt.safetensors')], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    const wa = await io.loadSafetensors(join(a, 'model.safetensors'));
    const wb = await io.loadSafetensors(join(b, 'model.safetensors'));
    expect(Object.keys(wb).sort()).toEqual(Object.keys(wa).sort());
    for (const k of Object.keys(wa)) expect(wb[k].data(), k).toEqual(wa[k].data());
  }, 300_000);
});

describe('training that survives Ctrl-C, bad numbers and foreign checkpoints (through the real binary)', () => {
  // One process (tsx as a loader, not tsx's CLI, which runs the script in a child): a signal reaches the training itself.
  const cli = ['--import', 'tsx', join(root, 'src', 'cli', 'bin.ts')];
  const args = (outDir: string, ...more: string[]) => [
    'train',
    '--model',
    'lenet5',
    '--dataset',
    'mnist',
    '--data-dir',
    mnistDir,
    '--epochs',
    '3',
    '--batch-size',
    '16',
    '--val-split',
    '100',
    '--seed',
    '4',
    '--out',
    outDir,
    ...more,
  ];
  const runCli = (argv: string[]) => spawnSync(process.execPath, [...cli, ...argv], { encoding: 'utf8' });

  /** Starts a run and sends `signals` SIGINTs once its first epoch is logged; resolves with its exit and output. */
  function interrupt(outDir: string, signals: number): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [...cli, ...args(outDir)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', () => {});
    const log = join(outDir, 'metrics.jsonl');
    const timer = setInterval(() => {
      if (existsSync(log) && readFileSync(log, 'utf8').trim()) {
        clearInterval(timer);
        for (let i = 0; i < signals; i++) child.kill('SIGINT');
      }
    }, 20);
    return new Promise((resolve) =>
      child.on('exit', (code) => {
        clearInterval(timer);
        resolve({ code, stderr });
      }),
    );
  }

  it('Ctrl-C finishes the step, saves, prints the --resume command, exits 130; that command ends where an uninterrupted run ends', async () => {
    const a = join(dir, 'sigint-full');
    const b = join(dir, 'sigint');
    const full = runCli(args(a, '--quiet'));
    expect(full.status, full.stderr).toBe(0);
    const r = await interrupt(b, 1);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('train: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)');
    const m = r.stderr.match(/interrupted at epoch (\d+), step (\d+); saved (\S+)\. Continue with:\n {2}convnet (.+)\n/);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(2); // the first epoch was logged before the signal
    expect(m![3]).toBe(join(b, 'last.ckpt.safetensors'));
    expect(existsSync(join(b, 'model.safetensors'))).toBe(false);
    const resumed = runCli(m![4].split(' '));
    expect(resumed.status, resumed.stderr).toBe(0);
    const wa = await io.loadSafetensors(join(a, 'model.safetensors'));
    const wb = await io.loadSafetensors(join(b, 'model.safetensors'));
    for (const k of Object.keys(wa)) expect(wb[k].data(), k).toEqual(wa[k].data());
  }, 300_000);

  it('a second Ctrl-C quits at once and leaves a checkpoint that still resumes', async () => {
    const c = join(dir, 'sigint-twice');
    const r = await interrupt(c, 2);
    expect(r.code).toBe(130);
    const resumed = runCli(args(c, '--quiet', '--resume', join(c, 'last.ckpt.safetensors')));
    expect(resumed.status, resumed.stderr).toBe(0);
  }, 300_000);

  it('a diverging learning rate stops with the step and a hint; --on-nan skip trains on; a foreign or damaged checkpoint', () => {
    const d = join(dir, 'nan');
    const diverge = runCli(args(d, '--quiet', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '1'));
    expect(diverge.status).toBe(1);
    expect(diverge.stderr).toMatch(/^convnet train: fit: the .* at epoch 1, step \d+ \(first non-finite: .+\).* Try a lower learning rate \(now 1\.00e\+30\)/m);
    const skip = runCli(args(join(dir, 'nan-skip'), '--quiet', '--optimizer', 'sgd', '--lr', '1e30', '--epochs', '1', '--on-nan', 'skip'));
    expect(skip.status, skip.stderr).toBe(0);
    expect(skip.stdout).toMatch(/^test: loss/m);

    const e = join(dir, 'foreign-cli');
    expect(runCli(args(e, '--quiet', '--epochs', '1')).status).toBe(0);
    const other = runCli(args(e, '--quiet', '--epochs', '2', '--optimizer', 'sgd', '--resume', join(e, 'last.ckpt.safetensors')));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('was written by a different run (optimizer: "adam" in the checkpoint, "sgd" now');
    expect(runCli(args(e, '--quiet', '--epochs', '2', '--resume', join(e, 'last.ckpt.safetensors'))).status).toBe(0);
    writeFileSync(join(e, 'last.ckpt.safetensors'), readFileSync(join(e, 'last.ckpt.safetensors')).subarray(0, 500)); // truncated
    const fallback = runCli(args(e, '--quiet', '--epochs', '3', '--resume', join(e, 'last.ckpt.safetensors')));
    expect(fallback.status, fallback.stderr).toBe(0);
    expect(fallback.stderr).toMatch(/last\.ckpt\.safetensors cannot be used \(.*\); resuming from the previous checkpoint .*last\.prev\.ckpt\.safetensors/);
  }, 300_000);

  it('--model-opts that the model does not have are errors naming its options; --milestones gives the ResNet step schedule', async () => {
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--model-opts', 'activation=swish')).toBe(1);
    expect(err.at(-1)).toContain("lenet5: activation must be 'relu' or 'tanh', got 'swish'");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--data-dir', mnistDir, '--model-opts', 'foo=bar')).toBe(1);
    expect(err.at(-1)).toContain("lenet5 has no option 'foo' (its options: numClasses, inChannels, activation, pooling)");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--milestones', '2,1')).toBe(2);
    expect(err.at(-1)).toContain("--milestones must be increasing epochs between 1 and 9 (--epochs 10), got '2,1'");
    expect(await run('train', '--model', 'lenet5', '--dataset', 'mnist', '--milestones', '3')).toBe(2);
    expect(err.at(-1)).toContain('--milestones and --gamma go with --schedule step');
    const out4 = join(dir, 'milestones');
    const code = await run(...args(out4, '--quiet', '--epochs', '3', '--schedule', 'step', '--milestones', '1,2', '--gamma', '0.5', '--lr', '0.01'));
    expect(code, err.join('\n')).toBe(0);
    const lrs = readFileSync(join(out4, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).lr);
    expect(lrs).toEqual([0.01, 0.005, 0.0025]);
  }, 300_000);
});

describe('convnet bench', () => {
  it('measures the chosen workloads on each backend and prints one JSON object', async () => {
    expect(await run('bench', '--workloads', 'W5', '--backends', 'wasm,js', '--threads', '2', '--peers', 'none', '--min-seconds', '0', '--json')).toBe(0);
    const r = JSON.parse(out.at(-1)!) as { columns: { id: string }[]; rows: { metric: string; figures: Record<string, { value: number }>; scaling: number }[] };
    expect(r.columns.map((c) => c.id)).toEqual(['wasm', 'wasm-1', 'js']);
    const w5 = r.rows.find((x) => x.metric === 'W5')!;
    for (const id of ['wasm', 'wasm-1', 'js']) expect(w5.figures[id].value).toBeGreaterThan(0.1);
    expect(w5.scaling).toBeGreaterThan(0);
  });
  it('runs a peer side by side and reports what it cannot run (TF.js wasm has no conv2d weight gradient)', async () => {
    expect(await run('bench', '--workloads', 'W4', '--backends', 'wasm', '--threads', '1', '--peers', 'tfjs-wasm', '--min-seconds', '0', '--json')).toBe(0);
    const r = JSON.parse(out.at(-1)!) as { rows: { metric: string; figures: Record<string, { value?: number; cannot?: string }> }[] };
    const fwd = r.rows.find((x) => x.metric === 'W4f')!;
    const fb = r.rows.find((x) => x.metric === 'W4fb')!;
    expect(fwd.figures['tfjs-wasm'].value).toBeGreaterThan(0.1);
    expect(fb.figures['tfjs-wasm'].cannot).toContain('Conv2DBackpropFilter');
  });
  it('runs ONNX Runtime (native) on ResNet-18 as exported by convnet-ts, and says it runs inference only', async () => {
    expect(await run('bench', '--workloads', 'W3,W5', '--backends', 'wasm', '--threads', '2', '--peers', 'onnxruntime', '--min-seconds', '0', '--json')).toBe(
      0,
    );
    const r = JSON.parse(out.at(-1)!) as {
      columns: { id: string; label: string }[];
      rows: { metric: string; figures: Record<string, { value?: number; cannot?: string }> }[];
    };
    expect(r.columns.find((c) => c.id === 'onnxruntime')!.label).toBe('ONNX Runtime ×2');
    for (const m of ['W3b8', 'W3b1']) expect(r.rows.find((x) => x.metric === m)!.figures.onnxruntime.value, m).toBeGreaterThan(0);
    expect(r.rows.find((x) => x.metric === 'W5')!.figures.onnxruntime.cannot).toBe('cannot: inference only');
  });
  it('rejects unknown workloads and peers with a usage error', async () => {
    expect(await run('bench', '--workloads', 'W9')).toBe(2);
    expect(err.at(-1)).toContain("--workloads: 'W9' is not one of W1, W2, W3, W4, W5");
    expect(await run('bench', '--peers', 'onnx')).toBe(2);
    expect(err.at(-1)).toContain("--peers: 'onnx' is not one of torch, tfjs-wasm, tfjs-cpu");
  });
});

describe('convnet finetune', () => {
  const folder = join(dir, 'folder');
  const pth = fileURLToPath(new URL('./fixtures/interop/squeezenet1_1.pth', import.meta.url));
  beforeEach(async () => {
    const { mkdirSync } = await import('node:fs');
    for (const split of ['train', 'test']) {
      const { images, labels } = syntheticImages(12, 3, 24, 3, split === 'train' ? 1 : 2);
      labels.forEach((label, i) => {
        const d = join(folder, split, `class${label}`);
        mkdirSync(d, { recursive: true });
        const rgba = new Uint8Array(24 * 24 * 4);
        for (let p = 0; p < 24 * 24; p++) {
          for (let c = 0; c < 3; c++) rgba[p * 4 + c] = images[(i * 3 + c) * 24 * 24 + p];
          rgba[p * 4 + 3] = 255;
        }
        writeFileSync(join(d, `${i}.png`), encodePng({ width: 24, height: 24, data: rgba, channels: 4, depth: 8 }));
      });
    }
  });
  it('fine-tunes a torchvision checkpoint on an image folder: new head, frozen layers, slower backbone', async () => {
    const outDir = join(dir, 'ft');
    const code = await run(
      'finetune',
      '--model',
      'squeezenet1_1',
      '--weights',
      pth,
      '--num-classes',
      '3',
      '--freeze',
      'features.0,features.3',
      '--backbone-lr-scale',
      '0.1',
      '--dataset',
      'imagefolder',
      '--data-dir',
      folder,
      '--epochs',
      '1',
      '--batch-size',
      '4',
      '--val-split',
      '0',
      '--out',
      outDir,
      '--json',
      '--quiet',
      '--workers',
      '0',
    );
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(out.at(-1)!) as { testAccuracy: number; paths: { weights: string } };
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0);
    // The frozen first conv kept the checkpoint's values; the new 3-class head loads back through eval.
    const saved = await io.loadSafetensors(r.paths.weights);
    const original = await io.loadPthStateDict(pth);
    expect(Array.from(saved['features.0.weight'].data())).toEqual(Array.from(original['features.0.weight'].data()));
    expect(saved['classifier.1.weight'].shape).toEqual([3, 512, 1, 1]);
    expect(await run('eval', '--model', 'squeezenet1_1', '--weights', r.paths.weights, '--dataset', 'imagefolder', '--data-dir', folder)).toBe(0);
  }, 300_000);
  it('fine-tunes an ONNX model (exported by PyTorch) and writes the result as ONNX, which eval reads back', async () => {
    const onnxFile = fileURLToPath(new URL('./fixtures/onnx/mobilenet_v2_025.onnx', import.meta.url));
    const outDir = join(dir, 'ft-onnx');
    const code = await run(
      'finetune',
      '--weights',
      onnxFile,
      '--freeze',
      'conv_0,conv_1',
      '--dataset',
      'imagefolder',
      '--data-dir',
      folder,
      '--epochs',
      '2',
      '--batch-size',
      '6',
      '--val-split',
      '0',
      '--lr',
      '0.003',
      '--out',
      outDir,
      '--json',
      '--quiet',
      '--workers',
      '0',
    );
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(out.at(-1)!) as { testAccuracy: number; testLoss: number; paths: { weights: string; onnx: string } };
    expect(existsSync(r.paths.onnx)).toBe(true);
    const net = await io.loadOnnx(r.paths.onnx);
    expect(new Map(net.namedModules()).get('classifier.1')).toBeInstanceOf(ct.nn.Linear);
    expect(net.metadata.classes).toBe(JSON.stringify(['class0', 'class1', 'class2']));
    expect(await run('eval', '--model', r.paths.onnx, '--weights', r.paths.weights, '--dataset', 'imagefolder', '--data-dir', folder, '--json')).toBe(0);
    const e = JSON.parse(out.at(-1)!) as { testAccuracy: number; testLoss: number };
    expect(e.testAccuracy).toBe(r.testAccuracy);
    expect(e.testLoss).toBeCloseTo(r.testLoss, 5);
    expect(await run('finetune', '--model', 'resnet18', '--weights', onnxFile, '--dataset', 'imagefolder', '--data-dir', folder)).toBe(2);
    expect(err.at(-1)).toContain('an .onnx file holds its own architecture');
  }, 300_000);
  it('usage errors: missing weights, a class count that disagrees with the data, a checkpoint that would run code', async () => {
    expect(await run('finetune', '--model', 'squeezenet1_1', '--dataset', 'imagefolder', '--data-dir', folder)).toBe(2);
    expect(err.at(-1)).toContain('finetune: --weights is required');
    expect(await run('finetune', '--model', 'squeezenet1_1', '--weights', pth, '--num-classes', '5', '--dataset', 'imagefolder', '--data-dir', folder)).toBe(2);
    expect(err.at(-1)).toContain('--num-classes 5 does not match the 3 classes of the dataset');
    const evil = fileURLToPath(new URL('./fixtures/pth/malicious.pth', import.meta.url));
    expect(await run('finetune', '--model', 'squeezenet1_1', '--weights', evil, '--dataset', 'imagefolder', '--data-dir', folder)).toBe(1);
    expect(err.at(-1)).toContain("refusing to load global 'posix.system'");
  }, 300_000);
});

describe('training recipes', () => {
  it('convnet train trains lenet5 with ReLU and max-pooling unless --model-opts says otherwise', async () => {
    expect(
      await run(
        'train',
        '--model',
        'lenet5',
        '--dataset',
        'mnist',
        '--data-dir',
        mnistDir,
        '--epochs',
        '1',
        '--val-split',
        '100',
        '--out',
        join(dir, 'recipe-a'),
        '--workers',
        '0',
      ),
    ).toBe(0);
    expect(out.join('\n')).toContain('model lenet5 {"activation":"relu","pooling":"max"}');
    out = [];
    const args = ['--dataset', 'mnist', '--data-dir', mnistDir, '--epochs', '1', '--val-split', '100', '--out', join(dir, 'recipe-b'), '--workers', '0'];
    expect(await run('train', '--model', 'lenet5', '--model-opts', 'activation=tanh,pooling=avg', ...args)).toBe(0);
    expect(out.join('\n')).toContain('model lenet5 {"activation":"tanh","pooling":"avg"}');
  });
});

describe('--recipe', () => {
  it('resnet20-cifar10 runs the documented flags (the ones given after it win) at high precision, for that run only', async () => {
    const cifarDir = join(dir, 'cifar');
    writeCifar10(cifarDir, 8);
    const outDir = join(dir, 'recipe-r20');
    const extra = ['--data-dir', cifarDir, '--epochs', '1', '--warmup', '0', '--batch-size', '8', '--workers', '0', '--out', outDir, '--json'];
    expect(await run('train', '--recipe', 'resnet20-cifar10', ...extra)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('model resnet20');
    expect(text).toContain('data cifar10: 40 train / 0 validation / 8 test, batch 8, augment crop,flip');
    const result = JSON.parse(out.at(-1)!);
    expect(result.config).toMatchObject({ optimizer: 'nesterov', lr: 0.1, weightDecay: 5e-4, schedule: 'cosine', epochs: 1, batchSize: 8 });
    expect(result.precision).toBe('high');
    expect(ct.getFloat32MatmulPrecision()).toBe('highest'); // restored after the run
    const { expandRecipe } = await import('../src/cli/train.js');
    expect(expandRecipe(['--recipe=resnet20-cifar10', '--lr', '0.05']).slice(-2)).toEqual(['--lr', '0.05']);
    expect(await run('train', '--recipe', 'resnet56-imagenet')).toBe(2);
    expect(err.join('\n')).toContain("--recipe: expected one of resnet20-cifar10, got 'resnet56-imagenet'");
    expect(await run('train', '--recipe', 'resnet20-cifar10', '--precision', 'low', '--data-dir', cifarDir)).toBe(2);
    expect(err.join('\n')).toContain("--precision: expected highest, high or medium, got 'low'");
  });
});

describe('run folders', () => {
  it('a new run into a folder starts its own metrics log; without --out, runs never land on earlier ones', async () => {
    const outDir = join(dir, 'twice');
    const args = ['--model', 'lenet5', '--dataset', 'mnist', '--data-dir', mnistDir, '--val-split', '100', '--out', outDir, '--workers', '0', '--quiet'];
    expect(await run('train', ...args, '--epochs', '2')).toBe(0);
    expect(await run('train', ...args, '--epochs', '1')).toBe(0);
    // metrics.jsonl holds the second run only (it used to hold both, while curves.svg showed the last).
    expect(readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    const { freshRunDir } = await import('../src/cli/train.js');
    const base = join(dir, 'runs', 'lenet5-mnist');
    expect(await freshRunDir(base)).toBe(base);
    mkdirSync(base, { recursive: true });
    expect(await freshRunDir(base)).toBe(base); // empty: reused
    writeFileSync(join(base, 'metrics.jsonl'), '{}\n');
    expect(await freshRunDir(base)).toBe(`${base}-2`);
  });
});

describe('--optimizer names', () => {
  it('momentum is classical momentum and nesterov is Nesterov momentum (momentum used to mean Nesterov silently)', async () => {
    const { makeOptimizer } = await import('../src/cli/train.js');
    const p = [ct.randn([3], { requiresGrad: true })];
    expect(makeOptimizer('momentum', p, 0.01, 0).paramGroups[0]).toMatchObject({ momentum: 0.9, nesterov: false });
    expect(makeOptimizer('nesterov', p, 0.01, 0).paramGroups[0]).toMatchObject({ momentum: 0.9, nesterov: true });
    expect(makeOptimizer('sgd', p, 0.01, 0).paramGroups[0]).toMatchObject({ momentum: 0 });
  });
});
