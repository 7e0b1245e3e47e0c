/**
 * The design rules of lecture 000, measured on the layers themselves with analysis.summary (parameters,
 * multiply-adds, activation memory and receptive field, from a traced forward pass): stacks of 3×3 convs against one
 * large kernel (VGG), the bottleneck residual block against the basic one (ResNet: 17HWC² vs 18HWC²), a 1×1 conv that
 * shrinks channels before an expensive one (GoogLeNet, ResNet), and GoogLeNet's aggressive stem against VGG-16's first
 * stages. No training: the numbers are exact, so --quick changes nothing.
 */
import { summary } from '../analysis/summary.js';
import { barChart, column, figure, PALETTE, row } from '../chart/spec.js';
import * as nn from '../nn/index.js';
import { markdownTable, type Experiment } from './experiment.js';

export interface DesignMeasure {
  /** Which comparison, and which side of it. */
  group: string;
  design: string;
  layers: number;
  params: number;
  macs: number;
  memoryKB: number;
  receptiveField: number;
}

export interface DesignRulesResults {
  designs: DesignMeasure[];
  ratios: { name: string; measured: number; lecture: number }[];
}

const conv = (inC: number, outC: number, k: number, stride = 1) => new nn.Conv2d(inC, outC, k, { stride, padding: Math.floor(k / 2), bias: false });

function measure(group: string, design: string, model: nn.AnyModule, input: number[]): DesignMeasure {
  const s = summary(model, input);
  const layers = s.layers.filter((r) => !r.group && r.kernel !== null && r.type === 'Conv2d').length;
  return {
    group,
    design,
    layers,
    params: s.total.params,
    macs: s.total.flops,
    memoryKB: s.total.memoryKB,
    receptiveField: s.layers.at(-1)?.receptiveField ?? 1,
  };
}

/** Every design of the experiment, measured (C = 64 channels at 56×56 unless the lecture's table says otherwise). */
export function designRules(): DesignRulesResults {
  const C = 64;
  const at56 = [C, 56, 56];
  const designs = [
    measure('3×3 stacks vs one large kernel', 'one 5×5', new nn.Sequential(conv(C, C, 5)), at56),
    measure('3×3 stacks vs one large kernel', 'two 3×3', new nn.Sequential(conv(C, C, 3), conv(C, C, 3)), at56),
    measure('3×3 stacks vs one large kernel', 'one 7×7', new nn.Sequential(conv(C, C, 7)), at56),
    measure('3×3 stacks vs one large kernel', 'three 3×3', new nn.Sequential(conv(C, C, 3), conv(C, C, 3), conv(C, C, 3)), at56),
    // The lecture's blocks: basic on C channels, bottleneck on 4C channels squeezed to C.
    measure('residual blocks', 'basic (3×3, 3×3)', new nn.Sequential(conv(C, C, 3), conv(C, C, 3)), at56),
    measure('residual blocks', 'bottleneck (1×1, 3×3, 1×1)', new nn.Sequential(conv(4 * C, C, 1), conv(C, C, 3), conv(C, 4 * C, 1)), [4 * C, 56, 56]),
    measure('1×1 channel reduction', '3×3, 256→256', new nn.Sequential(conv(256, 256, 3)), [256, 28, 28]),
    measure('1×1 channel reduction', '1×1 256→64 + 3×3 64→256', new nn.Sequential(conv(256, 64, 1), conv(64, 256, 3)), [256, 28, 28]),
    measure(
      'stem: 224 → 28 pixels',
      'GoogLeNet stem',
      new nn.Sequential(
        new nn.Conv2d(3, 64, 7, { stride: 2, padding: 3 }),
        new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
        new nn.Conv2d(64, 64, 1),
        new nn.Conv2d(64, 192, 3, { padding: 1 }),
        new nn.MaxPool2d(3, { stride: 2, padding: 1 }),
      ),
      [3, 224, 224],
    ),
    measure(
      'stem: 224 → 28 pixels',
      'VGG-16 stages 1–3',
      new nn.Sequential(
        ...[[3, 64], [64, 64], 'pool', [64, 128], [128, 128], 'pool', [128, 256], [256, 256], [256, 256], 'pool'].map((l) =>
          l === 'pool' ? new nn.MaxPool2d(2) : new nn.Conv2d((l as number[])[0], (l as number[])[1], 3, { padding: 1 }),
        ),
      ),
      [3, 224, 224],
    ),
  ];
  const get = (design: string) => designs.find((d) => d.design === design)!;
  const ratio = (a: string, b: string, key: 'params' | 'macs' | 'memoryKB') => get(a)[key] / get(b)[key];
  const ratios = [
    { name: 'params: two 3×3 / one 5×5', measured: ratio('two 3×3', 'one 5×5', 'params'), lecture: 18 / 25 },
    { name: 'params: three 3×3 / one 7×7', measured: ratio('three 3×3', 'one 7×7', 'params'), lecture: 27 / 49 },
    { name: 'MACs: bottleneck / basic block', measured: ratio('bottleneck (1×1, 3×3, 1×1)', 'basic (3×3, 3×3)', 'macs'), lecture: 17 / 18 },
    { name: 'memory: VGG-16 stages 1–3 / GoogLeNet stem', measured: ratio('VGG-16 stages 1–3', 'GoogLeNet stem', 'memoryKB'), lecture: 5.7 },
    { name: 'params: VGG-16 stages 1–3 / GoogLeNet stem', measured: ratio('VGG-16 stages 1–3', 'GoogLeNet stem', 'params'), lecture: 8.9 },
    { name: 'MACs: VGG-16 stages 1–3 / GoogLeNet stem', measured: ratio('VGG-16 stages 1–3', 'GoogLeNet stem', 'macs'), lecture: 17.8 },
  ];
  return { designs, ratios };
}

/** The experiment (`convnet experiment design-rules`). */
export const DESIGN_RULES_EXPERIMENT: Experiment<DesignRulesResults> = {
  name: 'design-rules',
  lectures: '000',
  claim:
    'Stacked 3×3 convs see what one large kernel sees with fewer parameters and less computation; the bottleneck block has more layers but costs less (17HWC² vs 18HWC²); 1×1 convs cut the cost of the conv after them; an aggressive stem makes the first stages cheap',
  description: 'parameters, multiply-adds, memory and receptive fields of 3×3 stacks, residual blocks, 1×1 reductions and stems (exact; seconds)',
  async run({ onProgress }) {
    const r = designRules();
    onProgress(`measured ${r.designs.length} designs`);
    const get = (d: string) => r.designs.find((x) => x.design === d)!;
    const sameRf = get('two 3×3').receptiveField === get('one 5×5').receptiveField && get('three 3×3').receptiveField === get('one 7×7').receptiveField;
    const exact = r.ratios.slice(0, 3).every((x) => Math.abs(x.measured / x.lecture - 1) < 1e-9);
    const stemCheaper = r.ratios.slice(3).every((x) => x.measured > 0.8 * x.lecture);
    const reduction = get('1×1 256→64 + 3×3 64→256').macs < get('3×3, 256→256').macs / 3;
    const groups = [...new Set(r.designs.map((d) => d.group))];
    // One row per comparison, each on its own scales (VGG's first stages would flatten every other bar).
    const panel = (group: string, key: 'params' | 'macs' | 'memoryKB', title: string, scale: number, color: string, labels: boolean) =>
      barChart({
        title,
        rows: r.designs.filter((d) => d.group === group).map((d) => ({ label: d.design, value: d[key] / scale })),
        axis: { title },
        color,
        labels,
        width: 170,
      });
    const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 1 });
    return {
      results: r,
      figure: figure(
        column(
          groups.map((g) =>
            row(
              [
                panel(g, 'params', 'parameters (K)', 1e3, PALETTE[0], true),
                panel(g, 'macs', 'multiply-adds (M)', 1e6, PALETTE[3], false),
                panel(g, 'memoryKB', 'activation memory (KB)', 1, PALETTE[2], false),
                barChart({
                  title: 'receptive field (pixels)',
                  rows: r.designs.filter((d) => d.group === g).map((d) => ({ label: d.design, value: d.receptiveField })),
                  axis: { title: 'pixels' },
                  color: PALETTE[4],
                  labels: false,
                  width: 120,
                }),
              ],
              { title: g },
            ),
          ),
        ),
        'Small kernels, bottlenecks, 1×1 reductions and stems: the same reach for less',
      ),
      table: [
        markdownTable(
          ['comparison', 'design', 'conv layers', 'params', 'MACs (M)', 'memory (KB)', 'receptive field'],
          r.designs.map((d) => [d.group, d.design, d.layers, d.params.toLocaleString('en-US'), fmt(d.macs / 1e6), fmt(d.memoryKB), d.receptiveField]),
        ),
        '',
        markdownTable(
          ['ratio', 'measured', 'lecture'],
          r.ratios.map((x) => [x.name, x.measured.toFixed(3), x.lecture.toFixed(3)]),
        ),
      ].join('\n'),
      verdict: {
        holds: sameRf && exact && stemCheaper && reduction,
        measured:
          `receptive fields ${get('two 3×3').receptiveField} = ${get('one 5×5').receptiveField} and ${get('three 3×3').receptiveField} = ${get('one 7×7').receptiveField}; ` +
          r.ratios.map((x) => `${x.name} ${x.measured.toFixed(3)} (lecture ${x.lecture.toFixed(3)})`).join('; ') +
          `; 1×1 reduction cuts MACs ${(get('3×3, 256→256').macs / get('1×1 256→64 + 3×3 64→256').macs).toFixed(1)}×`,
        criterion:
          'equal receptive fields; kernel and block ratios exactly 18/25, 27/49 and 17/18; each stem ratio at least 80% of the lecture’s (its VGG-16 column seems to stop before conv3_3: 1.15 M parameters, not 1.74 M); the 1×1 reduction cuts MACs more than 3×',
      },
    };
  },
};
