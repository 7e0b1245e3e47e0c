#!/usr/bin/python3
"""Writes test/fixtures/torchvision_models.json: for every torchvision model the zoo mirrors, its parameter count and
its state-dict keys with shapes (parameters and buffers), so names and shapes can be checked exactly. Random init,
nothing downloaded. Run with Debian's python3-torchvision: /usr/bin/python3 scripts/gen_model_fixtures.py"""
import json, os, sys
import torch, torchvision
from torchvision import models as tvm

NAMES = ['alexnet', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'vgg11_bn', 'vgg13_bn', 'vgg16_bn', 'vgg19_bn', 'googlenet',
         'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'wide_resnet50_2', 'wide_resnet101_2',
         'resnext50_32x4d', 'resnext101_32x8d', 'densenet121', 'densenet169', 'densenet201', 'squeezenet1_0',
         'squeezenet1_1', 'mobilenet_v2'] + [f'efficientnet_b{i}' for i in range(8)] + \
        [f'shufflenet_v2_{w}' for w in ('x0_5', 'x1_0', 'x1_5', 'x2_0')] + ['mobilenet_v3_large', 'mobilenet_v3_small'] + \
        ['mnasnet0_5', 'mnasnet0_75', 'mnasnet1_0', 'mnasnet1_3'] + [f'convnext_{s}' for s in ('tiny', 'small', 'base', 'large')] + \
        [f'efficientnet_v2_{s}' for s in ('s', 'm', 'l')] + ['inception_v3'] + \
        [f'regnet_{k}_{s}' for k, sizes in (('y', ('400mf', '800mf', '1_6gf', '3_2gf', '8gf', '16gf', '32gf', '128gf')),
                                             ('x', ('400mf', '800mf', '1_6gf', '3_2gf', '8gf', '16gf', '32gf'))) for s in sizes]
out = {'torchvision': torchvision.__version__, 'models': {}}
for name in NAMES:
    kwargs = {'aux_logits': False, 'init_weights': False} if name == 'googlenet' else {}
    m = getattr(tvm, name)(weights=None, **kwargs)
    out['models'][name] = {
        'parameters': sum(p.numel() for p in m.parameters()),
        'stateDict': [[k, list(v.shape)] for k, v in m.state_dict().items()],
    }
    print(name, out['models'][name]['parameters'], file=sys.stderr)
m = tvm.googlenet(weights=None, aux_logits=True, init_weights=False)
out['models']['googlenet_aux'] = {'parameters': sum(p.numel() for p in m.parameters()), 'stateDict': [[k, list(v.shape)] for k, v in m.state_dict().items()]}
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'torchvision_models.json')
with open(path, 'w') as f:
    json.dump(out, f, separators=(',', ':'))
print(f'wrote {os.path.normpath(path)} ({os.path.getsize(path) // 1024} KiB)', file=sys.stderr)
