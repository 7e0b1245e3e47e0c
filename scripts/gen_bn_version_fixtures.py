"""BatchNorm's num_batches_tracked and state-dict versions, as PyTorch loads them (run with Debian's python3-torch:
/usr/bin/python3 scripts/gen_bn_version_fixtures.py). Writes test/fixtures/pth/bn_versioned.pth (torch.save of a
state dict without num_batches_tracked, its _metadata kept: version 2 for the BatchNorm), bn_plain.pth (the same
tensors as a plain dict: no metadata), bn_data_parallel.pth (DataParallel's keys and metadata, one buffer dropped), and bn_versions.json with what PyTorch's strict load_state_dict did with each."""
import json
import os

import torch
import torch.nn as nn

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pth")
torch.manual_seed(0)


def model():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2, 3), nn.BatchNorm1d(3))


src = model()
src[1].num_batches_tracked.fill_(7)
sd = src.state_dict()
del sd["1.num_batches_tracked"]
del sd["5.num_batches_tracked"]
torch.save(sd, os.path.join(out, "bn_versioned.pth"))
torch.save(dict(sd), os.path.join(out, "bn_plain.pth"))
# DataParallel's keys and metadata carry 'module.': after stripping it, the versions must follow the keys.
dp = nn.DataParallel(model()).state_dict()
del dp["module.1.num_batches_tracked"]
torch.save(dp, os.path.join(out, "bn_data_parallel.pth"))

verdicts = {}
for name, d in [("bn_versioned", sd), ("bn_plain", dict(sd))]:
    m = model()
    m[1].num_batches_tracked.fill_(5)
    try:
        m.load_state_dict(d, strict=True)
        verdicts[name] = {"loaded": True, "num_batches_tracked": [int(m[1].num_batches_tracked), int(m[5].num_batches_tracked)]}
    except RuntimeError as e:
        verdicts[name] = {"loaded": False, "error": str(e).splitlines()[1].strip()}
verdicts["metadata"] = {k: v for k, v in sd._metadata.items()}
verdicts["data_parallel_metadata"] = {k: v for k, v in dp._metadata.items()}
verdicts["torch"] = torch.__version__
with open(os.path.join(out, "bn_versions.json"), "w") as f:
    json.dump(verdicts, f, indent=1)
print(json.dumps(verdicts))
