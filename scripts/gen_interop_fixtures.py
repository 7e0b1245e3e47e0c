"""Writes test/fixtures/interop/: for each torchvision model the interop issue names, a torch.save checkpoint of
its state dict and PyTorch's eval-mode logits on a fixed input. Run with Debian's python3-torchvision:
    /usr/bin/python3 scripts/gen_interop_fixtures.py [model ...]   (names: only those, merged into logits.json)

Random weights are fine, but full-size files are not (resnext50 alone is 100 MB), so every parameter is a strided
view (as_strided) into one shared random storage of 2^16 floats: torch.save writes that storage once, and the
checkpoint exercises the loader's handling of views, offsets and strides. Batch-norm running statistics are
calibrated by one training-mode pass over 8 images (momentum None) so that activations stay O(1) through every layer. The input
is x[i] = sin(0.001·i) in NCHW order, which the tests rebuild exactly.
"""
import json
import math
import os
import sys

import torch
import torchvision.models as tvm

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "interop")
os.makedirs(out, exist_ok=True)
MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", "densenet121", "efficientnet_b0", "googlenet", "resnext50_32x4d", "shufflenet_v2_x1_0",
          "mobilenet_v3_large", "mnasnet1_0", "convnext_tiny", "efficientnet_v2_s", "inception_v3",
          "regnet_y_400mf", "regnet_x_400mf", "mobilenet_v3_small"]
# Names on the command line regenerate only those models (merged into logits.json): the others' files stay as they are.
only = sys.argv[1:]
if only:
    unknown = [n for n in only if n not in MODELS]
    if unknown:
        raise SystemExit(f"unknown models {unknown}; known: {MODELS}")
    MODELS = only
BASE = 1 << 16

torch.manual_seed(0)
summary = {}
for name in MODELS:
    # The auxiliary classifiers need their natural input size (299 for Inception v3); the fixture input is 224.
    kw = {"aux_logits": False, "init_weights": False} if name in ("googlenet", "inception_v3") else {}
    model = getattr(tvm, name)(weights=None, **kw)
    base = (torch.rand(BASE) * 2 - 1)
    norm_weights = {id(m.weight) for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)}
    with torch.no_grad():
        for k, (pname, p) in enumerate(model.named_parameters()):
            if p.dim() == 1:
                # Biases and norm weights (near 1): small, contiguous.
                start = (k * 131) % (BASE - p.numel())
                p.data = (base[start:start + p.numel()] * 0.1 + (1.0 if id(p) in norm_weights else 0.0)).clone()
                continue
            fan_in = p[0].numel()
            scale = math.sqrt(3.0 / fan_in)  # unit-variance outputs for unit-variance inputs
            strides = [0] * p.dim()
            step = 1
            for d in range(p.dim() - 1, 0, -1):
                strides[d] = step
                step *= p.shape[d]
            # Rows are windows of the base shifted by 5: distinct, and the storage stays small.
            strides[0] = 5 if 5 * (p.shape[0] - 1) + step <= BASE else max(1, (BASE - step) // max(1, p.shape[0] - 1))
            need = strides[0] * (p.shape[0] - 1) + step
            storage = (base[:need] * scale).clone()
            p.data = storage.as_strided(p.shape, strides)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.momentum = None
            m.reset_running_stats()
    n = 3 * 224 * 224
    x = torch.sin(torch.arange(n, dtype=torch.float64) * 0.001).float().reshape(1, 3, 224, 224)
    model.train()
    with torch.no_grad():
        # Calibration images: the input, a cosine pattern and 6 seeded noise images, so no channel's batch
        # variance is tiny (a tiny variance turns f32 rounding differences into large output differences).
        calib = torch.cat([x, torch.cos(torch.arange(n, dtype=torch.float64) * 0.0037).float().reshape(1, 3, 224, 224),
                           torch.randn(6, 3, 224, 224)])
        model(calib)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    path = os.path.join(out, f"{name}.pth")
    torch.save(model.state_dict(), path)
    summary[name] = {"logits": logits.flatten().tolist(), "bytes": os.path.getsize(path)}
    print(name, os.path.getsize(path), "bytes, logits std", float(logits.std()), "max", float(logits.abs().max()))
logits_path = os.path.join(out, "logits.json")
if only and os.path.exists(logits_path):
    with open(logits_path) as f:
        summary = {**json.load(f), **summary}
with open(logits_path, "w") as f:
    json.dump(summary, f)
