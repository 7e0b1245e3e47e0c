/**
 * PyTorch checkpoints (`torch.save`, .pt/.pth): a zip archive holding `<dir>/data.pkl` and one raw little-endian
 * file per storage (`<dir>/data/<key>`). data.pkl is read by the restricted unpickler (pickle.ts) with the
 * allow-list below — OrderedDict, the tensor-rebuild functions and the storage types — so a checkpoint that would
 * run code (os.system, eval, any class) is refused and nothing in it is executed.
 * Floating tensors become float32 and integer/bool tensors int32 (int64 values outside int32 are an error).
 */
import { FormatError } from './format_error.js';
import { forEachRow } from '../backend/strided.js';
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { PickleError, PyDict, unpickle, type PyCallable } from './pickle.js';
import { STATE_DICT_METADATA, type StateDictMetadata } from '../nn/module.js';
import { readZip, ZipError } from './zip.js';
import { bf16ToFloat, halfToFloat } from './half.js';
import { describeValue } from './format_error.js';

export class PthError extends FormatError {
  constructor(message: string) {
    super('pth', message);
    this.name = 'PthError';
  }
}

type Kind = 'f32' | 'f64' | 'f16' | 'bf16' | 'i64' | 'i32' | 'i16' | 'i8' | 'u8' | 'bool';

const STORAGE_TYPES: Record<string, { kind: Kind; bytes: number }> = {
  FloatStorage: { kind: 'f32', bytes: 4 },
  DoubleStorage: { kind: 'f64', bytes: 8 },
  HalfStorage: { kind: 'f16', bytes: 2 },
  BFloat16Storage: { kind: 'bf16', bytes: 2 },
  LongStorage: { kind: 'i64', bytes: 8 },
  IntStorage: { kind: 'i32', bytes: 4 },
  ShortStorage: { kind: 'i16', bytes: 2 },
  CharStorage: { kind: 'i8', bytes: 1 },
  ByteStorage: { kind: 'u8', bytes: 1 },
  BoolStorage: { kind: 'bool', bytes: 1 },
};

/** Elements a single tensor may have before we call the file hostile. */
const MAX_ELEMENTS = 2 ** 31 - 1;

interface StorageType {
  readonly storageType: string;
  readonly kind: Kind;
  readonly bytes: number;
}

interface LoadedStorage {
  kind: Kind;
  itemBytes: number;
  data: Uint8Array;
  numel: number;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Elements a file's views may materialize: 4× the bytes its storages hold, plus `maxExpandedElements`. A view can
 * repeat its storage (stride 0, `expand`) or many views can share one, so a 2 KB file could otherwise ask for GBs.
 */
const EXPANSION_FACTOR = 4;
const DEFAULT_EXPANSION_SLACK = 2 ** 26;
/** Containers nested deeper than this are refused (a state dict is 2–3 deep). */
const MAX_DEPTH = 1000;

interface Budget {
  stored: number;
  materialized: number;
  slack: number;
}

/** _rebuild_tensor_v2(storage, offset, size, stride, ...): gathers the (possibly strided) view into a new tensor. */
function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, where: string, budget: Budget): Tensor {
  const fail = (msg: string): never => {
    throw new PthError(`${where}: ${msg}`);
  };
  if (!storage || typeof storage !== 'object' || !('data' in storage)) fail('tensor without a storage');
  const st = storage as LoadedStorage;
  if (!isInt(offset)) fail(`invalid storage offset ${describeValue(offset)}`);
  if (!Array.isArray(size) || size.length > 64 || !size.every(isInt)) fail(`invalid size ${describeValue(size)}`);
  if (!Array.isArray(stride) || stride.length !== (size as number[]).length || !stride.every(isInt)) fail(`invalid stride ${describeValue(stride)}`);
  const shape = size as number[];
  const strides = stride as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count) || count > MAX_ELEMENTS) fail(`shape ${describeValue(shape)} is too large`);
  let last = offset as number;
  for (let d = 0; d < shape.length; d++) if (shape[d] > 0) last += (shape[d] - 1) * strides[d];
  if (count > 0 && last >= st.numel)
    fail(`view (offset ${offset}, shape ${describeValue(shape)}, stride ${describeValue(strides)}) reaches element ${last} of a ${st.numel}-element storage`);
  budget.materialized += count;
  const limit = EXPANSION_FACTOR * budget.stored + budget.slack;
  if (budget.materialized > limit) {
    fail(
      `its views would materialize ${budget.materialized} elements from ${budget.stored} bytes of storage (expanded, stride-0 or repeated views; the limit is ${EXPANSION_FACTOR}× + maxExpandedElements ${budget.slack}); save contiguous tensors (t.contiguous().clone()) or raise maxExpandedElements`,
    );
  }
  const dv = new DataView(st.data.buffer, st.data.byteOffset, st.data.byteLength);
  const float = st.kind === 'f32' || st.kind === 'f64' || st.kind === 'f16' || st.kind === 'bf16';
  const out = float ? new Float32Array(count) : new Int32Array(count);
  const read = (i: number): number => {
    const b = i * st.itemBytes;
    switch (st.kind) {
      case 'f32':
        return dv.getFloat32(b, true);
      case 'f64':
        return dv.getFloat64(b, true);
      case 'f16':
        return halfToFloat(dv.getUint16(b, true));
      case 'bf16':
        return bf16ToFloat(dv.getUint16(b, true));
      case 'i64': {
        const v = dv.getBigInt64(b, true);
        if (v > 2147483647n || v < -2147483648n) fail(`holds the int64 value ${v}, outside the int32 range convnet-ts uses for integers`);
        return Number(v);
      }
      case 'i32':
        return dv.getInt32(b, true);
      case 'i16':
        return dv.getInt16(b, true);
      case 'i8':
        return dv.getInt8(b);
      default:
        return dv.getUint8(b); // u8, bool
    }
  };
  // Walk the view in row-major order over its strides.
  const rowDim = shape.length - 1;
  const lastLen = rowDim >= 0 ? shape[rowDim] : 1;
  const ls = rowDim >= 0 ? strides[rowDim] : 0;
  forEachRow(shape, [strides], [offset as number], ([src], r) => {
    for (let j = 0, i = r * lastLen; j < lastLen; j++, i++) out[i] = read(src + j * ls);
  });
  return tensor(out, shape);
}

export interface LoadPthOptions {
  /** Name used in error messages (the path, when loading a file). */
  name?: string;
  /**
   * Elements that expanded (stride-0) or repeated views may add beyond 4× the file's storage bytes (default 2^26,
   * 256 MB of float32): the cap that keeps a small hostile file from asking for gigabytes.
   */
  maxExpandedElements?: number;
}

/**
 * Decodes a torch.save checkpoint into plain values: dicts become objects (Maps when a key is not a string),
 * tuples and lists arrays, tensors convnet-ts Tensors.
 */
export function decodePth(bytes: Uint8Array, opts: LoadPthOptions = {}): unknown {
  const name = opts.name ?? 'checkpoint';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] === 0x02) {
    throw new PthError(
      `${name}: this is the legacy (before PyTorch 1.6) torch.save format; re-save it with torch.save(obj, path) from PyTorch ≥ 1.6, or export safetensors`,
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new PthError(
      `${name}: not a PyTorch checkpoint (expected a zip archive starting with 'PK', got ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`,
    );
  }
  let entries;
  try {
    entries = readZip(bytes, name);
  } catch (e) {
    if (e instanceof ZipError) throw new PthError(e.message);
    throw e;
  }
  const pkl = [...entries.keys()].find((k) => k === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(k));
  if (!pkl) throw new PthError(`${name}: no data.pkl in the archive (entries: ${[...entries.keys()].slice(0, 5).join(', ')}${entries.size > 5 ? ', …' : ''})`);
  const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const entry = (key: string) => entries.get(`${prefix}data/${key}`);
  const storages = new Map<string, LoadedStorage>();

  const callable = (global: string, call: (args: unknown[]) => unknown): PyCallable => ({ global, call });
  const orderedDict = callable('collections.OrderedDict', () => new PyDict());
  // What the archive's storages hold, in elements (an upper bound on what a file can honestly ask to materialize).
  let stored = 0;
  for (const [k, e] of entries) if (k.startsWith(`${prefix}data/`)) stored += e.size;
  const budget: Budget = { stored, materialized: 0, slack: opts.maxExpandedElements ?? DEFAULT_EXPANSION_SLACK };
  const rebuildV2 = callable('torch._utils._rebuild_tensor_v2', (a) => rebuildTensor(a[0], a[1], a[2], a[3], `${name}: tensor`, budget));
  const rebuildV1 = callable('torch._utils._rebuild_tensor', (a) => rebuildTensor(a[0], a[1], a[2], a[3], `${name}: tensor`, budget));
  const rebuildParameter = callable('torch._utils._rebuild_parameter', (a) => {
    if (!(a[0] instanceof Tensor)) throw new PthError(`${name}: _rebuild_parameter of something that is not a tensor`);
    return a[0];
  });

  const resolveGlobal = (module: string, nm: string): unknown => {
    if (module === 'collections' && nm === 'OrderedDict') return orderedDict;
    if (module === 'torch._utils' && nm === '_rebuild_tensor_v2') return rebuildV2;
    if (module === 'torch._utils' && nm === '_rebuild_tensor') return rebuildV1;
    if (module === 'torch._utils' && nm === '_rebuild_parameter') return rebuildParameter;
    if (module === 'torch' && nm in STORAGE_TYPES) {
      const t: StorageType = { storageType: nm, ...STORAGE_TYPES[nm] };
      return t;
    }
    return undefined;
  };

  const persistentLoad = (pid: unknown): unknown => {
    // ('storage', storage_type, key, location, numel)
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw new PthError(`${name}: unexpected persistent id ${describeValue(pid)}`);
    const [, type, key, , numel] = pid;
    if (!type || typeof type !== 'object' || !('storageType' in type)) throw new PthError(`${name}: persistent id without a storage type`);
    if (typeof key !== 'string' || !isInt(numel)) throw new PthError(`${name}: malformed storage reference ${describeValue([key, numel])}`);
    const st = type as StorageType;
    const cached = storages.get(key);
    if (cached) return cached;
    const e = entry(key);
    if (!e) throw new PthError(`${name}: storage '${key}' is referenced but missing from the archive`);
    if (e.size < numel * st.bytes)
      throw new PthError(`${name}: storage '${key}' has ${e.size} bytes, but ${numel} ${st.storageType} elements need ${numel * st.bytes}`);
    const loaded: LoadedStorage = { kind: st.kind, itemBytes: st.bytes, data: bytes.subarray(e.offset, e.offset + e.size), numel };
    storages.set(key, loaded);
    return loaded;
  };

  const pklEntry = entries.get(pkl)!;
  let root: unknown;
  try {
    root = unpickle(bytes.subarray(pklEntry.offset, pklEntry.offset + pklEntry.size), { resolveGlobal, persistentLoad }, `${name}: data.pkl`);
  } catch (e) {
    if (e instanceof PickleError) throw new PthError(e.message);
    throw e;
  }
  return toPlain(root, name);
}

/**
 * PyDicts to objects (or Maps when a key is not a string); everything else as is. Each container is converted once
 * (shared structure stays shared, a cycle stays a cycle, nothing is walked twice), keys are own properties (a key
 * '__proto__' cannot reach a prototype), and nesting deeper than MAX_DEPTH is an error, not a stack overflow.
 */
function toPlain(root: unknown, name: string): unknown {
  const done = new Map<unknown, unknown>();
  const convert = (v: unknown, depth: number): unknown => {
    if (!(v instanceof PyDict) && !Array.isArray(v)) return v;
    const seen = done.get(v);
    if (seen !== undefined) return seen;
    if (depth > MAX_DEPTH) throw new PthError(`${name}: data.pkl nests containers more than ${MAX_DEPTH} deep (a corrupt or hostile file)`);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      done.set(v, out);
      for (const x of v) out.push(convert(x, depth + 1));
      return out;
    }
    if ([...v.map.keys()].every((k) => typeof k === 'string')) {
      const o: Record<string, unknown> = {};
      done.set(v, o);
      for (const [k, x] of v.map) Object.defineProperty(o, k as string, { value: convert(x, depth + 1), enumerable: true, writable: true, configurable: true });
      // An OrderedDict's attributes (BUILD): torch.save'd state dicts carry `_metadata` (module prefix → version).
      const meta = v.attrs instanceof PyDict ? v.attrs.map.get('_metadata') : undefined;
      if (meta instanceof PyDict) Object.defineProperty(o, STATE_DICT_METADATA, { value: metadataOf(meta), enumerable: false });
      return o;
    }
    const m = new Map<unknown, unknown>();
    done.set(v, m);
    for (const [k, x] of v.map) m.set(k, convert(x, depth + 1));
    return m;
  };
  return convert(root, 0);
}

/** `_metadata` as { prefix: { version } }, keeping only what loading uses (integer versions). */
function metadataOf(meta: PyDict): StateDictMetadata {
  const out: StateDictMetadata = Object.create(null);
  for (const [k, v] of meta.map) {
    if (typeof k !== 'string' || !(v instanceof PyDict)) continue;
    const version = v.map.get('version');
    out[k] = typeof version === 'number' || typeof version === 'bigint' ? { version: Number(version) } : {};
  }
  return out;
}

export interface StateDictOptions {
  /**
   * Where the state dict is inside the checkpoint, e.g. 'state_dict' or 'model.ema'. Default: the checkpoint
   * itself when every value is a tensor, else the first of 'state_dict', 'model_state_dict', 'model', 'net'.
   */
  key?: string;
  /** Prefixes to remove from every key that has them, e.g. ['module.'] for DataParallel checkpoints. */
  stripPrefix?: string | readonly string[];
  /** Renames keys (return null to drop one), applied after stripPrefix. */
  remap?: (key: string) => string | null;
}

function isTensorRecord(v: unknown): v is Record<string, Tensor> {
  return (
    !!v &&
    typeof v === 'object' &&
    !(v instanceof Tensor) &&
    !Array.isArray(v) &&
    !(v instanceof Map) &&
    Object.keys(v).length > 0 &&
    Object.values(v).every((x) => x instanceof Tensor)
  );
}

/** Finds the state dict inside a decoded checkpoint and applies prefix stripping and key remapping. */
export function extractStateDict(checkpoint: unknown, opts: StateDictOptions = {}, name = 'checkpoint'): Record<string, Tensor> {
  let sd: unknown = checkpoint;
  if (opts.key !== undefined) {
    for (const part of opts.key.split('.')) {
      if (!sd || typeof sd !== 'object' || !(part in (sd as Record<string, unknown>))) {
        const have = sd && typeof sd === 'object' ? Object.keys(sd as object).join(', ') : typeof sd;
        throw new PthError(`${name}: no '${opts.key}' in the checkpoint (top-level keys: ${have})`);
      }
      sd = (sd as Record<string, unknown>)[part];
    }
  } else if (!isTensorRecord(sd)) {
    const found = ['state_dict', 'model_state_dict', 'model', 'net'].find((k) => isTensorRecord((sd as Record<string, unknown> | null)?.[k]));
    if (!found) {
      const have = sd && typeof sd === 'object' ? Object.keys(sd as object).join(', ') : typeof sd;
      throw new PthError(`${name}: no state dict found (top-level keys: ${have}); pass { key } to say where it is`);
    }
    sd = (sd as Record<string, unknown>)[found];
  }
  if (!isTensorRecord(sd)) throw new PthError(`${name}: '${opts.key ?? 'checkpoint'}' is not a dict of tensors`);
  const prefixes = typeof opts.stripPrefix === 'string' ? [opts.stripPrefix] : (opts.stripPrefix ?? []);
  const out: Record<string, Tensor> = {};
  for (const [k0, t] of Object.entries(sd)) {
    let k: string | null = k0;
    for (const p of prefixes) if (k.startsWith(p)) k = k.slice(p.length);
    if (opts.remap) k = opts.remap(k);
    if (k === null) continue;
    if (k === '__proto__') throw new PthError(`${name}: a state-dict key '__proto__' is not allowed`);
    if (Object.hasOwn(out, k)) throw new PthError(`${name}: two keys map to '${k}' after stripping and remapping`);
    out[k] = t;
  }
  // The version metadata follows the keys (prefixes stripped the same way), so loadStateDict applies PyTorch's rule.
  const meta = (sd as { [STATE_DICT_METADATA]?: StateDictMetadata })[STATE_DICT_METADATA];
  if (meta) {
    const moved: StateDictMetadata = Object.create(null);
    for (const [k0, v] of Object.entries(meta)) {
      let k = `${k0}.`;
      for (const p of prefixes) if (k.startsWith(p)) k = k.slice(p.length);
      moved[k.slice(0, -1)] = v;
    }
    Object.defineProperty(out, STATE_DICT_METADATA, { value: moved, enumerable: false });
  }
  return out;
}
