/**
 * The lectures' per-layer table: for every module call in a forward pass, input and output shape, filters, kernel,
 * stride, padding, output memory (KB of float32 activations, batch 1), parameters, multiply-adds ("FLOPs" as the
 * lectures count them: convolutions and fully connected layers) and the receptive field w.r.t. the input.
 * A flatten between layers (done by a model's forward with x.flatten) appears as its own row, as in the lectures.
 */
import { noGrad } from '../autograd/grad_mode.js';
import { withOpTracer, type OpTracer } from '../autograd/apply.js';
import * as nn from '../nn/index.js';
import { withForwardTracer } from '../nn/module.js';
import { zeros } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';

export interface LayerRow {
  name: string;
  type: string;
  /** Nesting depth (0 = a direct child of the model). */
  depth: number;
  /** True for containers (Sequential, residual blocks, ...); their numbers are not added to the totals. */
  group: boolean;
  inputShape: number[];
  outputShape: number[];
  filters: number | null;
  kernel: number[] | null;
  stride: number[] | null;
  padding: number[] | string | null;
  memoryKB: number;
  params: number;
  /** Multiply-adds. */
  flops: number;
  /** Receptive field (height) of one output position w.r.t. the input, in input pixels. */
  receptiveField: number;
}

export interface Summary {
  inputShape: number[];
  layers: LayerRow[];
  total: { memoryKB: number; params: number; flops: number };
}

export interface SummaryOptions {
  /** 'compact' (default) drops activations, dropout and shape-preserving parameter-free layers, like the lecture tables; 'all' keeps every call. */
  rows?: 'compact' | 'all';
}

const kb = (shape: readonly number[]) => (shape.slice(1).reduce((a, b) => a * b, 1) * 4) / 1024;

/** A leaf layer's row from its own description (nn/describe.ts); a layer without one counts as compute with no arithmetic. */
function describeCall(m: nn.AnyModule, input: readonly number[], output: readonly number[]): nn.LayerInfo & { dilation: readonly number[] } {
  const info = m.describe?.(input, output) ?? { kind: 'compute' };
  return { ...info, dilation: info.dilation ?? [1, 1] };
}

/**
 * Runs one forward pass on zeros of `inputShape` ([C, H, W], batch 1) in eval mode and tabulates every layer.
 * Example: analysis.summary(models.create('alexnet'), [3, 227, 227])
 */
export function summary(model: nn.AnyModule, inputShape: readonly number[], opts: SummaryOptions = {}): Summary {
  const names = new Map<nn.AnyModule, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name);
  const rows: LayerRow[] = [];
  // Receptive field (size, jump = product of strides) of each traced tensor; unknown tensors take the largest so far.
  // Weak: holding every traced tensor kept all activations alive (EfficientNet-B7 at 600×600 outgrew wasm's 4 GiB).
  const rf = new WeakMap<Tensor, { size: number; jump: number }>();
  let widest = { size: 1, jump: 1 };
  let lastOut: number[] = [1, ...inputShape];
  const open: { row: LayerRow; start: number }[] = [];
  // Rows of layers that describe themselves as elementwise (activations, dropout): in place, no memory of their own.
  const elementwise = new Set<number>();
  const wasTraining = model.training;
  model.eval();
  const x = zeros([1, ...inputShape]);
  rf.set(x, { size: 1, jump: 1 });
  // Every op carries the receptive field forward (a tensor made outside any module — a residual add, a functional
  // relu — included): windows grow it by their dilated kernel times the jump so far, anything else takes its
  // widest input. Tracing modules alone lost such tensors and counted a shortcut's stride twice.
  const opTracer: OpTracer = {
    op(name, inputs, attrs, out) {
      let base: { size: number; jump: number } | null = null;
      for (const t of inputs) {
        const r = rf.get(t);
        if (r) base = base ? { size: Math.max(base.size, r.size), jump: Math.max(base.jump, r.jump) } : r;
      }
      if (!base) return; // weights, constants
      const info = (attrs as { info?: { kH: number; strideH: number; dilationH?: number } } | null)?.info;
      let r = base;
      if ((name === 'conv2d' || name === 'maxPool2d' || name === 'avgPool2d') && info) {
        r = { size: base.size + (info.dilationH ?? 1) * (info.kH - 1) * base.jump, jump: base.jump * info.strideH };
      } else if ((name === 'adaptiveAvgPool2d' || name === 'adaptiveMaxPool2d') && inputs[0].ndim === 4) {
        const inH = inputs[0].shape[2];
        const outH = out.shape[2];
        r = { size: base.size + (Math.ceil(inH / outH) - 1) * base.jump, jump: base.jump * Math.max(1, Math.floor(inH / outH)) };
      }
      rf.set(out, r);
    },
  };
  noGrad(() =>
    withOpTracer(opTracer, () =>
      withForwardTracer(
        {
          enter(m, inputs, depth) {
            if (m === model) return;
            const input = inputs[0] instanceof Tensor ? inputs[0] : null;
            const inShape = input ? [...input.shape] : [];
            // A flatten done outside any module between two layers: show it like the lecture.
            if (input && inShape.length === 2 && lastOut.length > 2 && inShape[1] === lastOut.slice(1).reduce((a, b) => a * b, 1)) {
              rows.push({
                name: '(flatten)',
                type: 'Flatten',
                depth: depth - 1,
                group: false,
                inputShape: lastOut,
                outputShape: inShape,
                filters: null,
                kernel: null,
                stride: null,
                padding: null,
                memoryKB: kb(inShape),
                params: 0,
                flops: 0,
                receptiveField: widest.size,
              });
              lastOut = inShape;
            }
            const children = [...m.children()].length > 0;
            if (children) {
              const row: LayerRow = {
                name: names.get(m) ?? m.typeName,
                type: m.typeName,
                depth: depth - 1,
                group: true,
                inputShape: inShape,
                outputShape: [],
                filters: null,
                kernel: null,
                stride: null,
                padding: null,
                memoryKB: 0,
                params: 0,
                flops: 0,
                receptiveField: 0,
              };
              rows.push(row);
              open.push({ row, start: rows.length });
            }
          },
          exit(m, inputs, output, depth) {
            if (m === model || !(output instanceof Tensor)) return;
            const input = inputs[0] instanceof Tensor ? inputs[0] : null;
            const outRf = rf.get(output) ?? (input && rf.get(input)) ?? widest;
            const shape = [...output.shape];
            const top = open[open.length - 1];
            const isGroup = top && top.row.name === (names.get(m) ?? m.typeName) && top.row.group && top.row.outputShape.length === 0;
            if (!isGroup && outRf.size >= widest.size) widest = outRf;
            if (isGroup) {
              open.pop();
              const inner = rows.slice(top.start).filter((r) => !r.group);
              Object.assign(top.row, {
                outputShape: shape,
                memoryKB: kb(shape),
                receptiveField: (rf.get(output) ?? widest).size,
                params: m.numParameters(),
                flops: inner.reduce((s, r) => s + r.flops, 0),
              });
              lastOut = shape;
              return;
            }
            const inShape = input ? [...input.shape] : [];
            const info = describeCall(m, inShape, shape);
            if (info.kind === 'elementwise') elementwise.add(rows.length);
            rows.push({
              name: names.get(m) ?? m.typeName,
              type: m.typeName,
              depth: depth - 1,
              group: false,
              inputShape: inShape,
              outputShape: shape,
              filters: info.filters ?? null,
              kernel: info.kernel ? [...info.kernel] : null,
              stride: info.stride ? [...info.stride] : null,
              padding: info.padding === undefined ? null : typeof info.padding === 'string' ? info.padding : [...info.padding],
              memoryKB: kb(shape),
              params: m.numParameters(),
              flops: info.macs ?? 0,
              receptiveField: outRf.size,
            });
            lastOut = shape;
          },
        },
        () => model.forward(x),
      ),
    ),
  );
  model.train(wasTraining);
  const rowIndex = new Map(rows.map((r, i) => [r, i]));
  const quiet = (r: LayerRow) =>
    elementwise.has(rowIndex.get(r)!) ||
    (!r.group && r.params === 0 && r.flops === 0 && r.type !== 'Flatten' && r.kernel === null && r.inputShape.join() === r.outputShape.join());
  // Totals over the layers the lectures count: activations and dropout run in place and add no memory.
  const counted = rows.filter((r) => !r.group && !quiet(r));
  const total = { memoryKB: counted.reduce((s, r) => s + r.memoryKB, 0), params: model.numParameters(), flops: counted.reduce((s, r) => s + r.flops, 0) };
  return { inputShape: [...inputShape], layers: (opts.rows ?? 'compact') === 'all' ? rows : rows.filter((r) => !quiet(r)), total };
}

const fmtShape = (s: readonly number[]) => (s.length === 4 ? `${s[1]}×${s[2]}×${s[3]}` : s.slice(1).join('×'));
/** Integers like the lecture tables, with one decimal for small values so LeNet-size layers do not read as 0. */
const num = (v: number) => {
  const digits = v !== 0 && Math.abs(v) < 10 ? 1 : 0;
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
};

/** The table as aligned text (the lectures' columns plus receptive field), nested blocks indented. */
export function formatSummary(s: Summary, format: 'text' | 'markdown' = 'text'): string {
  const header = ['layer', 'type', 'input', 'filters', 'kernel', 'stride', 'pad', 'output', 'memory (KB)', 'params (k)', 'MACs (M)', 'RF'];
  const body = s.layers.map((r) => [
    `${'  '.repeat(r.depth)}${r.name}`,
    r.type,
    fmtShape(r.inputShape),
    r.filters === null ? '' : String(r.filters),
    r.kernel ? (r.kernel[0] === r.kernel[1] ? String(r.kernel[0]) : r.kernel.join('×')) : '',
    r.stride ? (r.stride[0] === r.stride[1] ? String(r.stride[0]) : r.stride.join('×')) : '',
    r.padding === null ? '' : typeof r.padding === 'string' ? r.padding : r.padding[0] === r.padding[1] ? String(r.padding[0]) : r.padding.join('×'),
    fmtShape(r.outputShape),
    num(r.memoryKB),
    num(r.params / 1000),
    num(r.flops / 1e6),
    String(r.receptiveField),
  ]);
  const totalRow = ['total', '', '', '', '', '', '', '', num(s.total.memoryKB), num(s.total.params / 1000), num(s.total.flops / 1e6), ''];
  if (format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...body.map(line), line(totalRow.map((c, i) => (i === 0 ? '**total**' : c)))].join('\n');
  }
  const all = [header, ...body, totalRow];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const right = (i: number) => i >= 3;
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (right(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt), widths.map((w) => '-'.repeat(w)).join('  '), fmt(totalRow)].join('\n');
}

/** The JSON form printed by `convnet summary --json` (flops = multiply-adds). */
export function summaryJson(s: Summary): object {
  return {
    inputShape: s.inputShape,
    layers: s.layers.map((r) => ({
      name: r.name,
      type: r.type,
      depth: r.depth,
      group: r.group,
      inputShape: r.inputShape,
      outputShape: r.outputShape,
      kernel: r.kernel,
      stride: r.stride,
      padding: r.padding,
      memoryKB: r.memoryKB,
      params: r.params,
      flops: r.flops,
      receptiveField: r.receptiveField,
    })),
    total: s.total,
  };
}
