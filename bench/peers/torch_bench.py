"""PyTorch side of `npm run bench`: one workload of ../shared/bench/WORKLOADS.md, printed as one JSON line.

Run by src/cli/bench.ts with Debian's python3-torch (/usr/bin/python3) in a child process:
    /usr/bin/python3 bench/peers/torch_bench.py --workload W1|W2|W3b8|W3b1|W4f|W4fb|W5 --threads N [--min-seconds S]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--workload", required=True)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--min-seconds", type=float, default=3.0)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def timed(fn):
    """Median ms after one warm-up; repeats until min_seconds have passed (at least once, at most 20)."""
    fn()
    ts = []
    start = time.perf_counter()
    while True:
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() - start >= a.min_seconds or len(ts) >= 20:
            break
    ts.sort()
    return ts[len(ts) // 2]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (self.proj(x) if self.proj is not None else x))


def resnet20():
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for s, c in enumerate([16, 32, 64]):
        for b in range(3):
            layers.append(Block(cin, c, 2 if s > 0 and b == 0 else 1))
            cin = c
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 20, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 50, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(2450, 500), nn.ReLU(), nn.Linear(500, 10),
    )


def train(model, batch, shape):
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return batch * 1000 / timed(step)


w = a.workload
if w == "W1":
    value = train(lenet(), 64, (1, 28, 28))
elif w == "W2":
    value = train(resnet20(), 128, (3, 32, 32))
elif w in ("W3b8", "W3b1"):
    import torchvision

    m = torchvision.models.resnet18().eval()
    batch = 8 if w == "W3b8" else 1
    x = torch.randn(batch, 3, 224, 224)
    with torch.no_grad():
        ms = timed(lambda: m(x))
    value = batch * 1000 / ms if w == "W3b8" else ms
elif w in ("W4f", "W4fb"):
    x = torch.randn(8, 64, 56, 56, requires_grad=True)
    wt = torch.randn(64, 64, 3, 3, requires_grad=True)
    flop = 2 * 8 * 64 * 56 * 56 * 64 * 9
    if w == "W4f":
        with torch.no_grad():
            value = flop / (timed(lambda: F.conv2d(x, wt, padding=1)) * 1e6)
    else:
        def fb():
            x.grad = None
            wt.grad = None
            F.conv2d(x, wt, padding=1).sum().backward()

        value = 3 * flop / (timed(fb) * 1e6)
elif w == "W5":
    A = torch.randn(1024, 1024)
    B = torch.randn(1024, 1024)
    value = 2 * 1024**3 / (timed(lambda: A @ B) * 1e6)
else:
    raise SystemExit(f"unknown workload {w}")
print(json.dumps({"value": value, "threads": a.threads, "version": torch.__version__}))
