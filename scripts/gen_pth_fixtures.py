"""Writes small torch.save checkpoints to test/fixtures/pth/ for the .pth loader's tests (run with Debian's
python3-torch: /usr/bin/python3 scripts/gen_pth_fixtures.py). Each checkpoint has a JSON sidecar with the expected
values, so the tests never need Python. Also writes a malicious pickle that would run os.system if unpickled."""
import io
import json
import os
import pickle
import zipfile

import torch
import torch.nn as nn

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pth")
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def describe(obj):
    """The expected content: tensors as dtype/shape/flat values, containers recursively, scalars as-is."""
    if isinstance(obj, torch.Tensor):
        return {"__tensor__": True, "dtype": str(obj.dtype).replace("torch.", ""), "shape": list(obj.shape),
                "values": obj.detach().float().flatten().tolist() if obj.dtype.is_floating_point else obj.flatten().tolist()}
    if isinstance(obj, dict):
        return {"__dict__": [[k, describe(v)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return [describe(v) for v in obj]
    return obj


def save(name, obj, **kw):
    path = os.path.join(out, name + ".pth")
    torch.save(obj, path, **kw)
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(describe(obj), f)


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(12, 4)


m = Small()
with torch.no_grad():
    m.bn.running_mean.uniform_(-1, 1)
    m.bn.running_var.uniform_(0.5, 2)
m.bn.num_batches_tracked += 7
save("state_dict", m.state_dict())
save("checkpoint", {"state_dict": m.state_dict(), "epoch": 3, "best_acc": 0.75, "arch": "small"})
save("data_parallel", {"module." + k: v for k, v in m.state_dict().items()})

# Every dtype a state dict holds, views into shared storages, a transposed (non-contiguous) tensor, a scalar.
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
save("dtypes", {
    "f32": torch.randn(2, 3),
    "f64": torch.randn(3, dtype=torch.float64),
    "f16": torch.randn(2, 2).half(),
    "bf16": torch.randn(5).bfloat16(),
    "i64": torch.tensor([1, -2, 2_000_000_000]),
    "i32": torch.tensor([[7, -8]], dtype=torch.int32),
    "u8": torch.tensor([0, 255], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "view_row": base[1],
    "view_cols": base[:, 2:5],
    "transposed": base.t(),
    "scalar": torch.tensor(2.5),
})
# int64 beyond int32: refused with a clear error rather than wrapped.
save("i64_big", {"n": torch.tensor([3_000_000_000])})
# The legacy (pre-1.6) format is not a zip archive.
torch.save({"w": torch.ones(2)}, os.path.join(out, "legacy.pth"), _use_new_zipfile_serialization=False)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/convnet-pwned",))


buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", pickle.dumps({"weight": Exploit()}, protocol=2))
    z.writestr("archive/version", "3\n")
with open(os.path.join(out, "malicious.pth"), "wb") as f:
    f.write(buf.getvalue())
print("wrote", sorted(os.listdir(out)))
