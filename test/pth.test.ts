/**
 * PyTorch checkpoints: files written by torch.save (scripts/gen_pth_fixtures.py, committed with JSON sidecars of
 * their expected values) load as-is, nested checkpoints and prefixes are handled by options, a checkpoint that
 * would run os.system is refused with nothing executed, and damaged files give typed errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ct from '../src/index.js';

const { io } = ct;
const dir = fileURLToPath(new URL('./fixtures/pth/', import.meta.url));
const bytes = (name: string) => new Uint8Array(readFileSync(`${dir}${name}`));

type Expected =
  { __tensor__: true; dtype: string; shape: number[]; values: number[] } | { __dict__: [string, Expected][] } | Expected[] | number | string | boolean | null;

function check(actual: unknown, expected: Expected, path: string): void {
  if (expected && typeof expected === 'object' && '__tensor__' in expected) {
    expect(actual, path).toBeInstanceOf(ct.Tensor);
    const t = actual as ct.Tensor;
    expect(t.shape, `${path} shape`).toEqual(expected.shape);
    const float = /float|half|bfloat/.test(expected.dtype);
    expect(t.dtype, `${path} dtype`).toBe(float ? 'float32' : 'int32');
    const got = Array.from(t.data());
    expected.values.forEach((v, i) => expect(got[i], `${path}[${i}]`).toBeCloseTo(typeof v === 'boolean' ? Number(v) : v, float ? 5 : 10));
  } else if (expected && typeof expected === 'object' && '__dict__' in expected) {
    const o = actual as Record<string, unknown>;
    expect(Object.keys(o), `${path} keys, in order`).toEqual(expected.__dict__.map(([k]) => k));
    for (const [k, v] of expected.__dict__) check(o[k], v, `${path}.${k}`);
  } else if (Array.isArray(expected)) {
    expected.forEach((v, i) => check((actual as unknown[])[i], v, `${path}[${i}]`));
  } else {
    expect(actual, path).toBe(expected);
  }
}

describe('PyTorch checkpoints (.pth)', () => {
  for (const name of ['state_dict', 'checkpoint', 'data_parallel', 'dtypes']) {
    it(`loads ${name}.pth written by torch.save, every value as PyTorch holds it`, async () => {
      const expected = JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as Expected;
      check(await io.loadPth(`${dir}${name}.pth`), expected, name);
    });
  }

  it('finds the state dict in nested checkpoints and strips prefixes, then loads it into a module', async () => {
    const direct = await io.loadPthStateDict(bytes('state_dict.pth'));
    const nested = await io.loadPthStateDict(bytes('checkpoint.pth'));
    const dp = await io.loadPthStateDict(bytes('data_parallel.pth'), { stripPrefix: 'module.' });
    expect(Object.keys(nested)).toEqual(Object.keys(direct));
    expect(Object.keys(dp)).toEqual(Object.keys(direct));
    expect(Array.from(dp['fc.weight'].data())).toEqual(Array.from(direct['fc.weight'].data()));
    const renamed = await io.loadPthStateDict(bytes('state_dict.pth'), { remap: (k) => (k.startsWith('bn.') ? null : `net.${k}`) });
    expect(Object.keys(renamed)).toEqual(['net.conv.weight', 'net.conv.bias', 'net.fc.weight', 'net.fc.bias']);
    // The same layers in convnet-ts take the state dict as-is (PyTorch's names, num_batches_tracked included).
    const F = ct.nn;
    class Small extends F.Module {
      conv = new F.Conv2d(2, 3, 3);
      bn = new F.BatchNorm2d(3);
      fc = new F.Linear(12, 4);
      forward(x: ct.Tensor): ct.Tensor {
        return this.fc.forward(this.bn.forward(this.conv.forward(x)).flatten(1));
      }
    }
    const m = new Small();
    m.loadStateDict(direct);
    expect(Array.from(m.bn.runningVar!.data())).toEqual(Array.from(direct['bn.running_var'].data()));
    await expect(io.loadPthStateDict(bytes('checkpoint.pth'), { key: 'optimizer' })).rejects.toThrow(
      "no 'optimizer' in the checkpoint (top-level keys: state_dict, epoch, best_acc, arch)",
    );
  });

  it('refuses a checkpoint that would run os.system, and executes nothing', async () => {
    const marker = '/tmp/convnet-pwned';
    const before = existsSync(marker);
    await expect(io.loadPth(bytes('malicious.pth'))).rejects.toThrow(/refusing to load global 'posix\.system'.*nothing in the file is executed/);
    await expect(io.loadPth(bytes('malicious.pth'))).rejects.toBeInstanceOf(io.PthError);
    expect(existsSync(marker)).toBe(before);
  });

  it('gives typed errors for damaged, foreign and out-of-range files, never a crash or hang', async () => {
    const good = bytes('state_dict.pth');
    await expect(io.loadPth(bytes('legacy.pth'))).rejects.toThrow('legacy (before PyTorch 1.6) torch.save format');
    await expect(io.loadPth(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toThrow("not a PyTorch checkpoint (expected a zip archive starting with 'PK'");
    for (const cut of [10, 200, 1000, good.length - 30]) {
      await expect(io.loadPth(good.slice(0, cut)), `truncated to ${cut}`).rejects.toBeInstanceOf(io.PthError);
    }
    await expect(io.loadPth(bytes('i64_big.pth'))).rejects.toThrow('holds the int64 value 3000000000, outside the int32 range');
    // Corrupt the central directory's offset of the first entry's data: it points past the end.
    const bad = good.slice();
    const view = new DataView(bad.buffer);
    const eocd = bad.length - 22;
    const cd = view.getUint32(eocd + 16, true);
    view.setUint32(cd + 42, 0x7fffffff, true);
    await expect(io.loadPth(bad)).rejects.toThrow(/local header of '.*data\.pkl' missing/);
    // A hostile pickle: an absurd string length, and an opcode outside the allow-list (protocol 0's INST).
    const hostile = (pkl: number[]) => {
      const z = good.slice();
      const dv = new DataView(z.buffer);
      const cdOff = dv.getUint32(z.length - 22 + 16, true);
      const local = dv.getUint32(cdOff + 42, true);
      const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
      z.set(pkl, start);
      return z;
    };
    await expect(io.loadPth(hostile([0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f]))).rejects.toThrow(/truncated|absurd/);
    await expect(io.loadPth(hostile([0x80, 0x02, 0x69]))).rejects.toThrow("unsupported pickle opcode 0x69 ('i')");
    await expect(io.loadPth(hostile([0x80, 0x02, 0x2e]))).rejects.toThrow('STOP with 0 values on the stack');
  });
});
