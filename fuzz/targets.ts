/**
 * What the fuzzer feeds: one target per reader of untrusted bytes. Each target parses an input the way the library
 * does for a user (and, where a parse succeeds, uses the result: an ONNX model runs a forward pass, a checkpoint is
 * restored into a model), then checks that what it accepted is self-consistent. A reader may only accept or throw
 * a FormatError naming the file; the runner (worker.ts) judges everything else.
 */
import { FormatError } from '../src/io/format_error.js';
import { decodeSafetensors } from '../src/io/safetensors.js';
import { decodePth, extractStateDict } from '../src/io/pth.js';
import { importOnnx } from '../src/io/onnx/import.js';
import { parseIdx } from '../src/data/formats/idx.js';
import { parseCifar } from '../src/data/formats/cifar.js';
import { readTar } from '../src/data/formats/tar.js';
import { decodeImageSync, imageToTensor } from '../src/data/image.js';
import { decodeCheckpoint, applyCheckpoint } from '../src/train/checkpoint.js';
import { Tensor } from '../src/tensor/tensor.js';
import { randn } from '../src/tensor/creation.js';
import { noGrad } from '../src/autograd/grad_mode.js';
import { nn, optim } from '../src/index.js';
import { imageStructured, onnxStructured, pthStructured, safetensorsStructured, tarStructured, type Structured } from './structured.js';

export interface FuzzTarget {
  /** Short name: the seed folder fuzz/seeds/NAME and the regression folder fuzz/regressions/NAME. */
  name: string;
  /** The file name passed to the reader; its errors must mention it. */
  fileName: string;
  /** Tokens a mutation may insert or substitute (field names, magic numbers): an AFL-style dictionary. */
  dictionary: string[];
  /** Bytes the reader may allocate for an input of `n` bytes (typed arrays and ArrayBuffers, summed). */
  budget(n: number): number;
  /** A structure-aware mutator for the format (structured.ts). */
  structured?: Structured;
  /** Parses (and uses) the input; throws a FormatError or an Invariant failure. */
  run(bytes: Uint8Array): void | Promise<void>;
}

/** A result the reader accepted but that is not what the bytes say: silently wrong data. */
export class Invariant extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Invariant';
  }
}

const MB = 2 ** 20;
/** Reading may copy the input a few times and widen 1-byte values to 4-byte ones. */
const linear =
  (factor: number, slack = 4 * MB) =>
  (n: number) =>
    factor * n + slack;

function checkTensor(t: unknown, what: string): void {
  if (!(t instanceof Tensor)) throw new Invariant(`${what} is not a Tensor`);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.numel() !== n) throw new Invariant(`${what} has ${t.numel()} elements but shape [${t.shape}]`);
  if (t.data().length !== n) throw new Invariant(`${what} holds ${t.data().length} values for shape [${t.shape}]`);
}

function checkRecord(rec: Record<string, unknown>, what: string): void {
  const proto = Object.getPrototypeOf(rec);
  if (proto !== Object.prototype && proto !== null) throw new Invariant(`${what}'s prototype was replaced`);
  for (const [k, v] of Object.entries(rec)) checkTensor(v, `${what}['${k}']`);
}

/** A tiny model whose checkpoints seed the checkpoint target. */
export function checkpointModel(): { model: nn.Sequential; optimizer: optim.SGD } {
  const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8, 3));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  return { model, optimizer };
}

/**
 * Not a reader: proves the judge catches each failure kind (the fuzz test runs it). The input is a command.
 */
export const SELFTEST: FuzzTarget = {
  name: 'selftest',
  fileName: 'selftest.bin',
  dictionary: [],
  budget: () => MB,
  run(bytes) {
    const cmd = new TextDecoder().decode(bytes);
    if (cmd === 'ok') return;
    if (cmd === 'reject') throw new FormatError('selftest', 'selftest.bin: rejected');
    if (cmd === 'unnamed') throw new FormatError('selftest', 'rejected without naming the file');
    if (cmd === 'typeerror') (null as unknown as { x: number }).x = 1;
    if (cmd === 'alloc') new Float32Array(2 ** 20);
    if (cmd === 'pollute') (Object.prototype as Record<string, unknown>).polluted = 1;
    if (cmd === 'hang') for (;;);
    if (cmd === 'crash') process.abort();
  },
};

export const TARGETS: FuzzTarget[] = [
  {
    name: 'safetensors',
    structured: safetensorsStructured(),
    fileName: 'fuzz.safetensors',
    dictionary: [
      '"__proto__"',
      '"constructor"',
      '"__metadata__"',
      '"F16"',
      '"BF16"',
      '"I64"',
      '"BOOL"',
      '[[[[[[[[',
      '{"a":{"b":{"c":',
      'null',
      '-1',
      '1e308',
      '"shape"',
      '"data_offsets"',
      '"dtype"',
    ],
    budget: linear(16),
    run(bytes) {
      const { tensors, metadata } = decodeSafetensors(bytes, { name: this.fileName });
      checkRecord(tensors, 'tensors');
      for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new Invariant(`metadata['${k}'] is a ${typeof v}, not a string`);
    },
  },
  {
    name: 'pth',
    structured: pthStructured,
    fileName: 'fuzz.pth',
    dictionary: [
      'data.pkl',
      'FloatStorage',
      'HalfStorage',
      'LongStorage',
      '_rebuild_tensor_v2',
      'OrderedDict',
      'collections',
      'torch._utils',
      '__proto__',
      'PK\x03\x04',
      'PK\x01\x02',
      'PK\x05\x06',
      '\x80\x02',
      'h\x00',
      'q\x00',
      'r\x00\x00\x00\x00',
    ],
    // Views may expand to 4× the storage bytes + 2^22 elements here (the default's 2^26 is for real checkpoints).
    budget: linear(64, 32 * MB),
    run(bytes) {
      const obj = decodePth(bytes, { name: this.fileName, maxExpandedElements: 2 ** 22 });
      checkRecord(extractStateDict(obj, {}, this.fileName), 'state dict');
    },
  },
  {
    name: 'onnx',
    structured: onnxStructured,
    fileName: 'fuzz.onnx',
    dictionary: ['Conv', 'MaxPool', 'Gemm', 'Reshape', 'Pad', 'Expand', 'Tile', 'pads', 'strides', 'kernel_shape', 'dilations', 'group', 'axis', 'shape'],
    // A forward pass on the model's declared input (≤ 2^18 values) may allocate a few hundred MB in total.
    budget: linear(64, 256 * MB),
    run(bytes) {
      const model = importOnnx(bytes, { name: this.fileName });
      model.eval();
      const inputs: Tensor[] = [];
      for (const shape of model.inputShapes) {
        const dims = shape.map((d) => d ?? 1);
        if (dims.reduce((a, b) => a * b, 1) > 2 ** 18) return; // the caller picks the input size, not the file
        inputs.push(randn(dims));
      }
      const out = noGrad(() => model.forward(...inputs)) as unknown;
      const outs = Array.isArray(out) ? out : [out];
      outs.forEach((t, i) => checkTensor(t, `output ${i}`));
    },
  },
  {
    name: 'idx',
    fileName: 'fuzz-idx3-ubyte',
    dictionary: ['\x00\x00\x08\x03', '\x00\x00\x08\x01', '\xff\xff\xff\xff', '\x7f\xff\xff\xff'],
    budget: linear(4),
    run(bytes) {
      const { dims, data } = parseIdx(bytes, this.fileName);
      if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Invariant(`${data.length} values for dims ${dims}`);
    },
  },
  {
    name: 'cifar',
    fileName: 'fuzz_batch.bin',
    dictionary: ['\x09', '\x0a', '\x13', '\x14', '\x63', '\x64', '\xff'],
    budget: linear(4),
    run(bytes) {
      // The record size tells the variants apart (3073 or 3074 bytes); anything else is rejected as cifar10.
      const variant = bytes.length % 3074 === 0 && bytes.length % 3073 !== 0 ? 'cifar100' : 'cifar10';
      const b = parseCifar(bytes, this.fileName, variant);
      const max = variant === 'cifar10' ? 9 : 99;
      if (b.labels.some((l) => l < 0 || l > max)) throw new Invariant(`a ${variant} label outside 0..${max}`);
      if (b.coarseLabels?.some((l) => l < 0 || l > 19)) throw new Invariant('a CIFAR-100 coarse label outside 0..19');
    },
  },
  {
    name: 'tar',
    structured: tarStructured,
    fileName: 'fuzz.tar',
    dictionary: ['ustar\x0000', '00000000000', '77777777777', '\x80\x00\x00\x00', '././@LongLink', 'data_batch_1.bin'],
    budget: linear(4),
    run(bytes) {
      let end = 0;
      for (const e of readTar(bytes, this.fileName)) {
        if (e.data.byteOffset - bytes.byteOffset + e.data.length > bytes.length) throw new Invariant(`entry ${e.name} reaches past the archive`);
        end = Math.max(end, e.data.length);
      }
    },
  },
  {
    name: 'image',
    structured: imageStructured,
    fileName: 'fuzz.png',
    dictionary: [
      'IHDR',
      'IDAT',
      'IEND',
      'PLTE',
      'tRNS',
      '\xff\xd8',
      '\xff\xc0',
      '\xff\xc2',
      '\xff\xc4',
      '\xff\xda',
      '\xff\xd9',
      '\x00\x00\xff\xff',
      '\x7f\xff\xff\xff',
    ],
    // The target caps images at 1 M pixels; decoding one allocates ~100 bytes per pixel in total (the decoder's
    // samples, RGBA, interlace passes, the float tensor and its copies).
    budget: linear(16, 160 * MB),
    async run(bytes) {
      const img = decodeImageSync(bytes, this.fileName, { maxPixels: MB });
      if (img.rgba.length !== img.width * img.height * 4) throw new Invariant(`${img.rgba.length} RGBA bytes for ${img.width}×${img.height}`);
      const t = await imageToTensor(img, { channels: 3 });
      checkTensor(t, 'image tensor');
      if (t.shape[1] !== img.height || t.shape[2] !== img.width) throw new Invariant(`tensor shape [${t.shape}] for a ${img.width}×${img.height} image`);
    },
  },
  {
    name: 'checkpoint',
    structured: safetensorsStructured('convnet-ts'),
    fileName: 'fuzz-last.safetensors',
    dictionary: [
      '"__proto__"',
      '"constructor"',
      '"prototype"',
      '"epoch"',
      '"rng"',
      '"paramGroups"',
      '"numbers"',
      '"scheduler"',
      '"$number"',
      'model.__proto__.x',
      'optimizer.state.__proto__.x',
      '-1',
      '1e308',
      'null',
    ],
    budget: linear(16),
    run(bytes) {
      const ckpt = decodeCheckpoint(bytes, this.fileName);
      const { model, optimizer } = checkpointModel();
      applyCheckpoint(ckpt, model, optimizer, null, this.fileName);
    },
  },
];
