/** nn.sequentialFromText: networks written as PyTorch layer calls, the playground's network editor. */
import { describe, expect, it } from 'vitest';
import { nn, tensor } from '../src/index.js';

const LENET = `# LeNet-5 with ReLU and max pooling
Conv2d(1, 6, kernel_size=5, padding=2)
ReLU()
MaxPool2d(2)
Conv2d(6, 16, 5)
ReLU()
MaxPool2d(kernel_size=2, stride=2)
Flatten()
Linear(400, 120)
ReLU()
Linear(120, 84)
nn.ReLU(inplace=True)
Linear(in_features=84, out_features=10)`;

describe('nn.sequentialFromText', () => {
  it('builds the layers with their arguments and reports each output shape', () => {
    const { model, shapes } = nn.sequentialFromText(LENET, { inputShape: [1, 28, 28] });
    const layers = [...model.children()];
    expect(layers.map((m) => m.constructor.name)).toEqual([
      'Conv2d',
      'ReLU',
      'MaxPool2d',
      'Conv2d',
      'ReLU',
      'MaxPool2d',
      'Flatten',
      'Linear',
      'ReLU',
      'Linear',
      'ReLU',
      'Linear',
    ]);
    expect(shapes).toEqual([[6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5], [400], [120], [120], [84], [84], [10]]);
    const conv = layers[0] as nn.Conv2d;
    expect(conv.weight.shape).toEqual([6, 1, 5, 5]);
    expect(model.parameters().reduce((s, p) => s + p.numel(), 0)).toBe(61706);
    expect(model.forward(tensor(new Float32Array(2 * 784), [2, 1, 28, 28])).shape).toEqual([2, 10]);
  });

  it('reads back what String(model) prints, giving the same model description', () => {
    const { model } = nn.sequentialFromText(
      "Conv2d(3, 8, 3, stride=2, padding=1, bias=False)\nBatchNorm2d(8, momentum=0.05)\nLeakyReLU(0.2)\nAvgPool2d(2)\nDropout2d(p=0.1)\nGroupNorm(2, 8)\nAdaptiveAvgPool2d((1, 1))\nFlatten()\nDropout(0.3)\nLinear(8, 4, bias=False)\nGELU(approximate='tanh')\nSoftmax(dim=1)",
    );
    const printed = String(model);
    const again = nn.sequentialFromText(printed).model;
    expect(String(again)).toBe(printed);
    expect(printed).toContain('Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)');
    expect(printed).toContain('momentum=0.05');
    expect(printed).toContain("approximate='tanh'");
  });

  it('names the line and what was wrong', () => {
    const err = (text: string, opts = {}) => {
      try {
        nn.sequentialFromText(text, opts);
      } catch (e) {
        expect(e).toBeInstanceOf(nn.NetworkTextError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err('ReLU()\nConvolution(1, 2, 3)')).toMatch(/^network line 2: unknown layer 'Convolution'; known: Conv2d, Linear/);
    expect(err('relu()')).toMatch(/unknown layer 'relu' \(did you mean ReLU\?\)/);
    expect(err('Conv2d(1, 8, kernal_size=3)')).toBe(
      "network line 1: Conv2d has no argument 'kernal_size' (its arguments: in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode)",
    );
    expect(err('Conv2d(1, 8)')).toBe("network line 1: Conv2d needs 'kernel_size'");
    expect(err('Linear(4, 2, True, 7)')).toBe('network line 1: Linear takes at most 3 positional arguments, got 4');
    expect(err('Linear(4, out_features=2, in_features=3)')).toBe("network line 1: Linear got argument 'in_features' twice");
    expect(err('Linear(4, 2')).toMatch(/^network line 1: missing '\)'/);
    expect(err('Linear(4, two)')).toBe("network line 1: 'two' is not a number, True, False, None or a quoted string");
    expect(err('Linear(in_features=4, 2)')).toMatch(/positional argument follows keyword arguments/);
    expect(err('Dropout(1.5)')).toMatch(/^network line 1: Dropout: dropout probability must be in \[0, 1\], got 1.5$/);
    expect(err('# nothing\n\n')).toMatch(/no layers/);
    // Shapes: the layer whose input does not fit is the one named, with the input it got.
    const shape = err('Conv2d(1, 4, 3)\nFlatten()\nLinear(100, 10)', { inputShape: [1, 8, 8] });
    expect(shape).toMatch(/^network line 3: .*Linear.*\(input to this layer: \[1, 144\]\)$/);
    expect(err('Conv2d(3, 4, 3)', { inputShape: [1, 8, 8] })).toMatch(/^network line 1: .*Conv2d/);
    expect(err("Conv2d(1, 'eight', 3)")).toMatch(/^network line 1: Conv2d: .*eight/);
  });

  it('ignores comments, blank lines, the nn. prefix and the Sequential frame', () => {
    const { model } = nn.sequentialFromText('Sequential(\n  (0): nn.Linear(2, 3)  # hidden\n\n  (1): Tanh()\n)');
    expect([...model.children()].map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh']);
  });
});
