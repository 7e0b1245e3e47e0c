/**
 * ONNX import: files exported by PyTorch (scripts/gen_onnx_fixtures.py, opsets 9–17) run with PyTorch's outputs;
 * imported models train (real layers at their weight names, replaceHead, freeze, BN statistics); files are
 * untrusted, and every malformed one gives an OnnxError, never a crash, hang or huge allocation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relativeToMax } from './helpers/tolerance.js';
import * as ct from '../src/index.js';
import { encodeModelProto, type ModelProto, type NodeProto, type TensorProto } from '../src/io/onnx/proto.js';
import { tensorProto } from '../src/io/onnx/graph_builder.js';
import { traceOnnx } from '../src/io/onnx/export.js';

const dir = fileURLToPath(new URL('./fixtures/onnx/', import.meta.url));
const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')).models as Record<
  string,
  { file: string; opset: number; input_shape: number[]; output: number[] }
>;
const { OnnxError } = ct.io;

function fixedInput(shape: number[]): ct.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return ct.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(0.01 * i)),
    shape,
  );
}

/** A small ONNX model from parts, through the real encoder. */
function onnx(nodes: NodeProto[], opts: { inits?: TensorProto[]; opset?: number | null; outputs?: string[]; inputShape?: number[] } = {}): Uint8Array {
  const model: ModelProto = {
    ir_version: 8,
    opset_import: opts.opset === null ? [] : [{ domain: '', version: opts.opset ?? 17 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: opts.inits ?? [],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: (opts.inputShape ?? [1, 4]).map((d) => ({ dim_value: d })) } } } }],
      output: (opts.outputs ?? ['y']).map((name) => ({ name })),
    },
  };
  return encodeModelProto(model);
}

describe('ONNX files exported by PyTorch', () => {
  for (const [name, e] of Object.entries(expected)) {
    it(`${name} (opset ${e.opset}) matches PyTorch's output to 1e-4 and runs at another batch size`, async () => {
      const net = (await ct.io.loadOnnx(`${dir}${e.file}`)).eval();
      expect(net.opset).toBe(e.opset);
      expect(net.producer).toMatch(/^pytorch/);
      const y = ct.noGrad(() => net.forward(fixedInput(e.input_shape)));
      expect(y.shape).toEqual([e.input_shape[0], 10]);
      expect(relativeToMax(y.data(), e.output)).toBeLessThanOrEqual(1e-4);
      const three = ct.noGrad(() => net.forward(ct.randn([3, ...e.input_shape.slice(1)])));
      expect(three.shape).toEqual([3, 10]);
    });
  }

  it('an imported torchvision model fine-tunes: real layers, replaceHead, freeze, gradients, and the loss falls', () => {
    const net = ct.io.importOnnx(readFileSync(`${dir}mobilenet_v2_025.onnx`));
    const modules = new Map(net.namedModules());
    expect(modules.get('classifier.1')).toBeInstanceOf(ct.nn.Linear); // from the initializer 'classifier.1.weight'
    expect([...modules.values()].filter((m) => m instanceof ct.nn.Conv2d).length).toBe(52);
    const path = ct.nn.replaceHead(net, 3);
    expect(path).toBe('classifier.1');
    const frozen = ct.nn.freeze(net, ['conv_0']);
    expect(frozen.length).toBe(2);
    ct.manualSeed(0);
    const x = ct.randn([6, 3, 64, 64]);
    const target = ct.tensor([0, 1, 2, 0, 1, 2], [6], { dtype: 'int32' });
    const frozenBefore = Array.from(new Map(net.namedParameters()).get('conv_0.weight')!.data());
    const opt = new ct.optim.Adam(
      net.parameters().filter((p) => p.requiresGrad),
      { lr: 1e-3 },
    );
    net.train();
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      opt.zeroGrad();
      const loss = ct.crossEntropy(net.forward(x), target);
      loss.backward();
      losses.push(loss.item());
      opt.step();
    }
    expect(
      net
        .parameters()
        .filter((p) => p.requiresGrad)
        .every((p) => p.grad !== null),
    ).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    expect(Array.from(new Map(net.namedParameters()).get('conv_0.weight')!.data())).toEqual(frozenBefore);
  });

  it('a convnet-ts export comes back with the same state-dict names, loads the original weights and trains its BatchNorm statistics', () => {
    ct.manualSeed(1);
    const model = ct.models.create('resnet20');
    model.eval();
    const net = ct.io.importOnnx(ct.io.exportOnnx(model, [1, 3, 32, 32]));
    const names = (sd: Record<string, ct.Tensor>) =>
      Object.keys(sd)
        .filter((k) => !k.endsWith('num_batches_tracked'))
        .sort();
    expect(names(net.stateDict())).toEqual(names(model.stateDict()));
    expect(new Map(net.namedModules()).get('layer1.0.bn1')).toBeInstanceOf(ct.nn.BatchNorm2d);
    // New weights into the original, then into the import by name: outputs agree again.
    ct.noGrad(() => {
      for (const p of model.parameters()) p.copy_(p.add(ct.randnLike(p).mul(0.01)));
    });
    net.loadStateDict(model.stateDict(), { strict: false });
    const x = ct.randn([2, 3, 32, 32]);
    expect(relativeToMax(ct.noGrad(() => net.eval().forward(x)).data(), ct.noGrad(() => model.forward(x)).data())).toBeLessThanOrEqual(1e-5);
    // Exported again, its layers are layers again (BatchNormalization, not the formula).
    const again = traceOnnx(net.eval(), [1, 3, 32, 32]).graph!.node!.map((n) => n.op_type);
    const count = (cls: abstract new (...a: any[]) => unknown) => [...model.modules()].filter((m) => m instanceof cls).length;
    expect(again.filter((op) => op === 'BatchNormalization').length).toBe(count(ct.nn.BatchNorm2d));
    expect(again.filter((op) => op === 'Conv').length).toBe(count(ct.nn.Conv2d));
    const bn = new Map(net.namedModules()).get('bn1') as ct.nn.BatchNorm2d;
    const before = Array.from(bn.runningMean!.data());
    net.train();
    net.forward(x).sum().backward();
    expect(Array.from(bn.runningMean!.data())).not.toEqual(before);
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});

describe('ONNX import treats files as untrusted', () => {
  const relu: NodeProto = { op_type: 'Relu', input: ['x'], output: ['y'] };

  it('runs a minimal valid model, and checks input shapes', () => {
    const net = ct.io.importOnnx(onnx([relu]));
    expect(Array.from(net.forward(ct.tensor([[-1, 2, -3, 4]])).data())).toEqual([0, 2, 0, 4]);
    expect(() => net.forward(ct.zeros(2, 5))).toThrow(/input 'x' expects shape \[1,4\], got \[2,5\]/);
    expect(() => net.forward()).toThrow(/expected 1 input tensor/);
  });

  it('refuses empty, garbage, truncated and non-ONNX bytes with OnnxError', () => {
    expect(() => ct.io.importOnnx(new Uint8Array(0))).toThrow(OnnxError);
    const good = onnx([relu]);
    for (let cut = 1; cut < good.length; cut += 3) expect(() => ct.io.importOnnx(good.subarray(0, cut)), `cut at ${cut}`).toThrow(OnnxError);
    const rng = new ct.Generator(7);
    for (let k = 0; k < 20; k++) {
      const junk = Uint8Array.from(ct.rand([64], { generator: rng }).data(), (v) => Math.floor(v * 256));
      expect(() => ct.io.importOnnx(junk)).toThrow(OnnxError);
    }
    expect(() => ct.io.importOnnx(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(OnnxError);
    // A length prefix far past the end (graph field, 4 GB): an error, not an allocation.
    expect(() => ct.io.importOnnx(Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]))).toThrow(/not a valid ONNX protobuf/);
  });

  it('checks initializers: absurd or negative dims, data of the wrong length, external data, unsupported types', () => {
    const add: NodeProto = { op_type: 'Add', input: ['x', 'w'], output: ['y'] };
    const init = (t: Partial<TensorProto>): Uint8Array => onnx([add], { inits: [{ name: 'w', data_type: 1, dims: [4], raw_data: new Uint8Array(16), ...t }] });
    expect(() => ct.io.importOnnx(init({ dims: [1e6, 1e6, 1e6] }))).toThrow(/initializer 'w' has an absurd shape/);
    expect(() => ct.io.importOnnx(init({ dims: [-4] }))).toThrow(/invalid dim -4/);
    expect(() => ct.io.importOnnx(init({ raw_data: new Uint8Array(15) }))).toThrow(/has 15 bytes of data, expected 16/);
    expect(() => ct.io.importOnnx(init({ raw_data: undefined, float_data: [1, 2] }))).toThrow(/has 2 values, expected 4/);
    expect(() => ct.io.importOnnx(init({ data_location: 1, raw_data: undefined, external_data: [{ key: 'location', value: 'w.bin' }] }))).toThrow(
      /external file/,
    );
    expect(() => ct.io.importOnnx(init({ data_type: 8 }))).toThrow(/unsupported element type STRING/);
    expect(() =>
      ct.io.importOnnx(onnx([add], { inits: [tensorProto('w', [4], [1, 2, 3, 4], 'float32'), tensorProto('w', [4], [1, 2, 3, 4], 'float32')] })),
    ).toThrow(/defined twice/);
  });

  it('lists every unsupported op in one error', () => {
    const nodes: NodeProto[] = [
      { op_type: 'Resize', input: ['x'], output: ['a'] },
      { op_type: 'NonMaxSuppression', input: ['a'], output: ['b'] },
      { op_type: 'Resize', input: ['b'], output: ['c'] },
      { op_type: 'FusedConv', domain: 'com.microsoft', input: ['c'], output: ['y'] },
    ];
    expect(() => ct.io.importOnnx(onnx(nodes))).toThrow(
      /uses 3 op type\(s\) convnet-ts cannot import: Resize \(2 nodes\), NonMaxSuppression \(1 node\), com\.microsoft\.FusedConv \(1 node\)/,
    );
  });

  it('checks the graph: opset, order, outputs, attribute types, nesting', () => {
    expect(() => ct.io.importOnnx(onnx([relu], { opset: null }))).toThrow(/declares no ai.onnx opset/);
    expect(() => ct.io.importOnnx(onnx([relu], { opset: 99 }))).toThrow(/uses opset 99; convnet-ts reads opsets up to 22/);
    const outOfOrder: NodeProto[] = [
      { op_type: 'Relu', input: ['h'], output: ['y'] },
      { op_type: 'Relu', input: ['x'], output: ['h'] },
    ];
    expect(() => ct.io.importOnnx(onnx(outOfOrder))).toThrow(/Relu #0 uses 'h', which no earlier node, input or initializer defines/);
    expect(() => ct.io.importOnnx(onnx([relu], { outputs: ['z'] }))).toThrow(/graph output 'z' is never computed/);
    expect(() => ct.io.importOnnx(onnx([relu, { op_type: 'Relu', input: ['x'], output: ['y'] }]))).toThrow(/redefines the value 'y'/);
    const badAttr: NodeProto = { op_type: 'LeakyRelu', name: 'act', input: ['x'], output: ['y'], attribute: [{ name: 'alpha', type: 7, ints: [1] }] };
    expect(() => ct.io.importOnnx(onnx([badAttr])).forward(ct.zeros(1, 4))).toThrow(/LeakyRelu 'act': attribute 'alpha' should be FLOAT, got INTS/);
    // If graphs nested 20 deep.
    let inner: NodeProto = relu;
    const flat = { name: 'flat', node: [relu], output: [{ name: 'y' }] };
    for (let d = 0; d < 20; d++) {
      const deeper = { name: `b${d}`, node: [inner], output: [{ name: 'y' }] };
      inner = {
        op_type: 'If',
        input: ['x'],
        output: ['y'],
        attribute: [
          { name: 'then_branch', type: 5, g: deeper },
          { name: 'else_branch', type: 5, g: flat },
        ],
      };
    }
    expect(() => ct.io.importOnnx(onnx([inner]))).toThrow(/nests graphs more than 8 deep/);
  });

  it('runs If on a shape condition, and reports a failing node by name', () => {
    const nodes: NodeProto[] = [
      { op_type: 'Shape', input: ['x'], output: ['s'] },
      { op_type: 'Constant', output: ['i'], attribute: [{ name: 'value', type: 4, t: tensorProto('', [], [1], 'int64') }] },
      { op_type: 'Gather', input: ['s', 'i'], output: ['d'] },
      { op_type: 'Constant', output: ['four'], attribute: [{ name: 'value', type: 4, t: tensorProto('', [], [4], 'int64') }] },
      { op_type: 'Equal', input: ['d', 'four'], output: ['c'] },
      {
        op_type: 'If',
        input: ['c'],
        output: ['y'],
        attribute: [
          { name: 'then_branch', type: 5, g: { name: 't', node: [{ op_type: 'Sub', input: ['x', 'two'], output: ['t'] }], output: [{ name: 't' }] } },
          { name: 'else_branch', type: 5, g: { name: 'e', node: [{ op_type: 'Identity', input: ['x'], output: ['e'] }], output: [{ name: 'e' }] } },
        ],
      },
    ];
    // The then-branch reads an initializer of the enclosing graph.
    const net = ct.io.importOnnx(onnx(nodes, { inputShape: [], inits: [tensorProto('two', [], [2], 'float32')] }));
    expect(Array.from(net.forward(ct.ones(1, 4)).data())).toEqual([-1, -1, -1, -1]);
    expect(Array.from(net.forward(ct.ones(1, 3)).data())).toEqual([1, 1, 1]);
    const conv: NodeProto = { op_type: 'Conv', name: 'stem', input: ['x', 'w'], output: ['y'] };
    const bad = ct.io.importOnnx(onnx([conv], { inits: [tensorProto('w', [2, 3, 3, 3], new Array(54).fill(0.1), 'float32')], inputShape: [] }));
    expect(() => bad.forward(ct.zeros(1, 5, 8, 8))).toThrow(/Conv2d 'stem': expected input with 3 channels, got 5|Conv 'stem'/);
  });
});
