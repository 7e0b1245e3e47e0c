"""Writes test/fixtures/onnx/: ONNX files exported by PyTorch (torch.onnx.export) and PyTorch's outputs on a fixed
input, for the importer's parity tests. Run with Debian's python3-torch and python3-torchvision:
    /usr/bin/python3 scripts/gen_onnx_fixtures.py

- opzoo_opset{9,11,13,17}.onnx: a small CNN touching every op family the importer reads (Conv with groups and
  dilation, BatchNormalization, Relu/Clip/LeakyRelu/Elu/Sigmoid/Tanh/HardSwish/HardSigmoid/Erf, MaxPool with
  ceil_mode, AveragePool with and without padding counted, LRN, Pad, Concat, Add/Mul/Div, ReduceMean,
  Shape→Gather→Unsqueeze→Concat→Reshape, Flatten, Gemm, Softmax) at four opsets whose attribute/input forms differ.
  The batch axis is dynamic.
- mobilenet_v2_025.onnx, shufflenet_v2_x0_5.onnx: torchvision models (random weights, BN statistics calibrated),
  the second with channel shuffles (Reshape/Transpose) and Split/Slice.
expected.json holds each model's output for x[i] = sin(0.01·i) (batch 2), which the tests rebuild exactly.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.models as tvm

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "onnx")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


class OpZoo(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=1, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8, bias=False)
        self.pw = nn.Conv2d(8, 12, 1)
        self.lrn = nn.LocalResponseNorm(3, alpha=1e-3, beta=0.75, k=2.0)
        self.branch_a = nn.Conv2d(12, 6, 1)
        self.branch_b = nn.Conv2d(12, 6, 3, padding=1)
        self.head = nn.Linear(12 * 4 * 4, 16)
        self.fc = nn.Linear(16, 10)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        h = F.relu(self.bn(self.stem(x)))
        h = F.max_pool2d(h, 3, stride=2, padding=1, ceil_mode=True)           # 17 -> 9
        h = F.relu6(self.dw(h)) + F.leaky_relu(h, 0.1)
        h = self.lrn(F.hardswish(self.pw(h)))
        h = F.pad(h, (1, 1, 1, 1), mode="reflect")                            # 9 -> 11
        a = torch.sigmoid(self.branch_a(h)) * torch.tanh(h[:, :6])
        b = F.elu(self.branch_b(h)) / 2 + F.hardsigmoid(h[:, 6:])
        h = torch.cat([a, b], 1)
        h = F.avg_pool2d(h, 3, stride=2, padding=1, count_include_pad=False)  # 11 -> 6
        h = F.avg_pool2d(h, 3, stride=1, padding=0)                           # 6 -> 4
        h = h - h.mean(dim=(2, 3), keepdim=True) * 0.5
        h = h.view(h.size(0), -1)                                             # Shape/Gather/.../Reshape
        h = self.drop(F.gelu(self.head(h)))
        return F.softmax(self.fc(h), dim=1)


def calibrate(model, shape):
    """Sets BN running statistics from one training-mode pass over random images (cumulative average)."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.momentum = None
            m.reset_running_stats()
    model.train()
    with torch.no_grad():
        model(torch.randn(8, *shape))
    model.eval()


def fixed_input(shape):
    n = 1
    for d in shape:
        n *= d
    return torch.sin(torch.arange(n, dtype=torch.float64) * 0.01).float().reshape(*shape)


def export(model, name, shape, opset):
    path = os.path.join(out, f"{name}.onnx")
    torch.onnx.export(model, torch.randn(1, *shape), path, opset_version=opset, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      do_constant_folding=True)
    x = fixed_input((2, *shape))
    with torch.no_grad():
        y = model(x)
    return {"file": f"{name}.onnx", "opset": opset, "input_shape": [2, *shape], "output_shape": list(y.shape),
            "output": [float(v) for v in y.flatten()], "bytes": os.path.getsize(path)}


expected = {}
zoo = OpZoo()
with torch.no_grad():
    for p in zoo.parameters():
        if p.dim() > 1:
            p.mul_(1.5)
calibrate(zoo, (3, 17, 17))
for opset in (9, 11, 13, 17):
    # opset 9 has no HardSwish/HardSigmoid changes but PyTorch lowers them; GELU becomes Erf everywhere.
    expected[f"opzoo_opset{opset}"] = export(zoo, f"opzoo_opset{opset}", (3, 17, 17), opset)

mnv2 = tvm.mobilenet_v2(weights=None, width_mult=0.25, num_classes=10)
calibrate(mnv2, (3, 64, 64))
expected["mobilenet_v2_025"] = export(mnv2, "mobilenet_v2_025", (3, 64, 64), 13)

shuffle = tvm.shufflenet_v2_x0_5(weights=None, num_classes=10)
calibrate(shuffle, (3, 64, 64))
expected["shufflenet_v2_x0_5"] = export(shuffle, "shufflenet_v2_x0_5", (3, 64, 64), 13)

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"torch": torch.__version__, "models": expected}, f)
for k, v in expected.items():
    print(k, v["bytes"], "bytes, output", v["output_shape"])
