/**
 * A restricted unpickler: it interprets the pickle opcodes of protocols 2–5 as data only. A GLOBAL is resolved
 * through an allow-list the caller supplies (for torch checkpoints: OrderedDict, the tensor-rebuild functions,
 * storage types); any other global — `os.system`, `builtins.eval`, a user class — is refused with a PickleError
 * before anything could be called. Nothing is ever executed: allowed "callables" are plain TypeScript functions.
 * Every read is bounds-checked, and sizes, the stack and the memo are capped, so a hostile file cannot crash,
 * hang or exhaust memory.
 */
import { FormatError } from './format_error.js';

export class PickleError extends FormatError {
  constructor(message: string) {
    super('pth', message);
    this.name = 'PickleError';
  }
}

/** A Python dict (keys of any hashable kind; insertion order kept), with attributes set by BUILD. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
  attrs: unknown = undefined;
}

/** A resolved global: something REDUCE/NEWOBJ may call with the arguments the pickle supplies. */
export interface PyCallable {
  readonly global: string;
  call(args: unknown[]): unknown;
}

export interface UnpicklerHooks {
  /** Resolves `module name` (e.g. 'collections OrderedDict'); undefined refuses it. */
  resolveGlobal(module: string, name: string): unknown;
  /** BINPERSID: the persistent id (torch: a storage reference). */
  persistentLoad?(pid: unknown): unknown;
}

const MAX_STACK = 1_000_000;
const MAX_MEMO = 10_000_000;
const MAX_STRING = 256 * 1024 * 1024;

/** Unpickles `bytes`; `name` appears in errors. */
export function unpickle(bytes: Uint8Array, hooks: UnpicklerHooks, name = 'pickle'): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength;
  let p = 0;
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const fail = (msg: string): never => {
    throw new PickleError(`${name}: ${msg} (at byte ${p})`);
  };
  const need = (k: number) => {
    if (k < 0 || p + k > n) fail(`truncated: needs ${k} more bytes, ${n - p} left`);
  };
  const u8 = () => {
    need(1);
    return bytes[p++];
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(p, true);
    p += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(MAX_STRING)) fail(`length ${v} is absurd`);
    return Number(v);
  };
  const str = (len: number) => {
    if (len > MAX_STRING) fail(`string of ${len} bytes is absurd`);
    need(len);
    let s: string;
    try {
      s = decoder.decode(bytes.subarray(p, p + len));
    } catch {
      s = fail('invalid UTF-8 in a string');
    }
    p += len;
    return s;
  };
  const raw = (len: number) => {
    if (len > MAX_STRING) fail(`byte string of ${len} bytes is absurd`);
    need(len);
    const b = bytes.slice(p, p + len);
    p += len;
    return b;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0 || end - p > 1024) fail('unterminated GLOBAL name');
    const s = new TextDecoder().decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const push = (v: unknown) => {
    if (stack.length >= MAX_STACK) fail('stack too deep');
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) fail('stack underflow');
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail('no MARK to pop to');
    return stack.splice(m!);
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const put = (k: number) => {
    if (memo.size >= MAX_MEMO && !memo.has(k)) fail('memo too large');
    memo.set(k, top());
  };
  const get = (k: number) => {
    if (!memo.has(k)) fail(`memo key ${k} was never stored`);
    push(memo.get(k));
  };
  const global = (module: string, nm: string) => {
    const g = hooks.resolveGlobal(module, nm);
    if (g === undefined) {
      throw new PickleError(
        `${name}: refusing to load global '${module}.${nm}': only the globals a tensor checkpoint needs are allowed, and nothing in the file is executed`,
      );
    }
    push(g);
  };
  const call = (f: unknown, args: unknown, op: string): unknown => {
    if (!f || typeof f !== 'object' || typeof (f as PyCallable).call !== 'function') fail(`${op} of something that is not an allowed callable`);
    if (!Array.isArray(args)) fail(`${op} arguments are not a tuple`);
    return (f as PyCallable).call(args as unknown[]);
  };
  const setItems = (d: unknown, items: unknown[]) => {
    if (!(d instanceof PyDict)) fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (d as PyDict).map.set(items[i], items[i + 1]);
  };
  const appendItems = (l: unknown, items: unknown[]) => {
    if (!Array.isArray(l)) fail('APPEND(S) on something that is not a list');
    for (const it of items) (l as unknown[]).push(it);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x29: // EMPTY_TUPLE
        push([]);
        break;
      case 0x7d: // EMPTY_DICT
        push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x6c: // LIST
      case 0x74: // TUPLE
        push(popMark());
        break;
      case 0x85: // TUPLE1
        push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push([pop(), b, c]);
        break;
      }
      case 0x58: // BINUNICODE
        push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(str(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(str(u64()));
        break;
      case 0x42: // BINBYTES
        push(raw(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        push(raw(u8()));
        break;
      case 0x8e: // BINBYTES8
        push(raw(u64()));
        break;
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(u8());
        break;
      case 0x6a: // LONG_BINGET
        get(u32());
        break;
      case 0x4a: // BININT
        need(4);
        push(view.getInt32(p, true));
        p += 4;
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: {
        // LONG1
        const len = u8();
        need(len);
        let v = 0n;
        for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
        if (len > 0 && bytes[p + len - 1] & 0x80) v -= 1n << BigInt(8 * len);
        p += len;
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        global(module, line());
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const nm = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof nm !== 'string') fail('STACK_GLOBAL needs two strings');
        global(module as string, nm as string);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const f = pop();
        push(call(f, args, 'REDUCE'));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        push(call(cls, args, 'NEWOBJ'));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict) obj.attrs = state;
        else if (obj && typeof obj === 'object' && typeof (obj as { setState?: unknown }).setState === 'function')
          (obj as { setState(s: unknown): void }).setState(state);
        else fail('BUILD on an object that takes no state');
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) fail('persistent ids are not supported here');
        push(hooks.persistentLoad!(pid));
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} ('${String.fromCharCode(op)}')`);
    }
  }
}
