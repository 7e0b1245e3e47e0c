"""Reads the safetensors files convnet-ts wrote (scripts/gen_export_fixtures.ts) into torchvision's models with
PyTorch and checks their eval-mode logits against convnet-ts's: the "train in convnet-ts, go on in PyTorch" path.
Run with Debian's python3-torchvision: /usr/bin/python3 scripts/check_export_fixtures.py
Writes test/fixtures/interop/export_verdict.json: PyTorch's logits, the largest relative difference, and the verdict.
(A minimal safetensors reader is written here: the format is 8 bytes of header length, a JSON header, raw data.)"""
import gzip
import json
import math
import os
import struct

import torch
import torchvision.models as tvm

here = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "interop")
DTYPES = {"F32": torch.float32, "I32": torch.int32, "I64": torch.int64, "F64": torch.float64}


def read_safetensors(path):
    raw = gzip.open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = t
    return out, header.get("__metadata__", {})


n = 3 * 224 * 224
x = torch.tensor([math.sin(0.001 * i) for i in range(n)], dtype=torch.float32).reshape(1, 3, 224, 224)
ours = json.load(open(os.path.join(here, "convnet_logits.json")))
verdict = {"torch": torch.__version__, "torchvision": __import__("torchvision").__version__, "models": {}}
for name in ["resnet18", "mobilenet_v2"]:
    sd, meta = read_safetensors(os.path.join(here, f"convnet_{name}.safetensors.gz"))
    model = getattr(tvm, name)(weights=None)
    result = model.load_state_dict(sd, strict=True)  # raises on any missing or unexpected key
    model.eval()
    with torch.no_grad():
        logits = model(x)[0]
    mine = torch.tensor(ours[name])
    rel = float((logits - mine).abs().max() / logits.abs().max())
    verdict["models"][name] = {"metadata": meta, "strict_load": "ok", "max_relative_difference": rel, "logits": logits.tolist(), "agrees": rel < 1e-4}
    print(name, "max relative difference", rel)
with open(os.path.join(here, "export_verdict.json"), "w") as f:
    json.dump(verdict, f)
