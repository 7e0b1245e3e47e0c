#!/usr/bin/python3
"""Generates test/fixtures/ops.json: inputs, outputs and input gradients of every op, computed by PyTorch.

Run with Debian's python3-torch: `/usr/bin/python3 scripts/gen_fixtures.py` (or `npm run fixtures`).
Each case: op name + attrs (how test/parity.test.ts calls convnet-ts), inputs, PyTorch's output(s), a random
upstream gradient and the gradient of every float input. Values are float32/int32 little-endian, base64.
"""
import base64, json, os, sys
import warnings
import torch

warnings.filterwarnings('ignore', message='Using padding=.same.')
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_num_threads(1)
CASES = []


def enc(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.int64, torch.int32, torch.bool):
        arr, dtype = t.to(torch.int32).numpy(), 'int32'
    else:
        arr, dtype = t.to(torch.float32).numpy(), 'float32'
    return {'shape': list(t.shape), 'dtype': dtype, 'data': base64.b64encode(arr.astype('<' + arr.dtype.str[1:]).tobytes()).decode()}


def case(op, fn, inputs, attrs=None, grad=True, extras=None, tol=None, name=None, const=(), float64=False):
    """fn(*inputs) -> Tensor or tuple (first element is the differentiable output); `const` inputs get no gradient.
    float64: compute the reference in double precision, for cases where PyTorch's own float32 result cancels."""
    cast = (lambda t: t.double() if t.is_floating_point() else t) if float64 else (lambda t: t)
    ins = [cast(t.clone()).requires_grad_(grad and t.is_floating_point() and i not in const) for i, t in enumerate(inputs)]
    res = fn(*ins)
    extra = {}
    if isinstance(res, tuple):
        res, *rest = res
        for k, v in zip(extras or [], rest):
            extra[k] = enc(v)
    entry = {'id': name or f'{op}#{sum(1 for c in CASES if c["op"] == op)}', 'op': op, 'attrs': attrs or {},
             'inputs': [enc(t) for t in inputs], 'output': enc(res), 'extras': extra}
    if tol:
        entry['tol'] = tol
    if grad and res.requires_grad:
        up = torch.randn_like(res.float()).to(res.dtype)
        res.backward(up)
        entry['upstream'] = enc(up)
        entry['grads'] = [enc(t.grad) if t.grad is not None else None for t in ins]
    CASES.append(entry)


r = lambda *s: torch.randn(s)
pos = lambda *s: torch.rand(s) + 0.1
lab = lambda hi, *s: torch.randint(0, hi, s)

# ---- elementwise binary with broadcasting ----
for shapes in [([3, 4], [3, 4]), ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]), ([5], []), ([1, 3, 1, 2], [2, 1, 5, 1])]:
    a, b = r(*shapes[0]), r(*shapes[1])
    for op, fn in [('add', torch.add), ('sub', torch.sub), ('mul', torch.mul), ('maximum', torch.maximum), ('minimum', torch.minimum)]:
        case(op, fn, [a, b])
    case('div', torch.div, [a, b + torch.sign(b) * 0.5])
    case('pow', torch.pow, [pos(*shapes[0]) * 2, r(*shapes[1])])
    for op in ['eq', 'ne', 'lt', 'le', 'gt', 'ge']:
        q = torch.round(a * 2) / 2
        case(op, lambda x, y, op=op: getattr(torch, op)(x, y).float(), [q, torch.round(b * 2) / 2], grad=False)
case('powScalar', lambda x: torch.pow(x, 3.0), [r(3, 5)], attrs={'exponent': 3})
case('powScalar', lambda x: torch.pow(x, -1.5), [pos(4, 3)], attrs={'exponent': -1.5})
case('powScalar', lambda x: torch.pow(x, 0.5), [pos(7)], attrs={'exponent': 0.5})

# ---- unary and activations ----
x = r(4, 7) * 2
for op, fn, inp in [
    ('neg', torch.neg, x), ('exp', torch.exp, x), ('log', torch.log, pos(4, 7)), ('sqrt', torch.sqrt, pos(4, 7)),
    ('rsqrt', torch.rsqrt, pos(4, 7)), ('abs', torch.abs, x), ('sigmoid', torch.sigmoid, x), ('tanh', torch.tanh, x),
    ('relu', F.relu, x), ('relu6', F.relu6, r(4, 7) * 5), ('selu', F.selu, x), ('gelu', F.gelu, x), ('silu', F.silu, x),
    ('hardswish', F.hardswish, r(4, 7) * 4), ('hardsigmoid', F.hardsigmoid, r(4, 7) * 4),
]:
    case(op, fn, [inp])
case('leakyRelu', lambda t: F.leaky_relu(t, 0.2), [x], attrs={'negativeSlope': 0.2})
case('elu', lambda t: F.elu(t, 1.3), [x], attrs={'alpha': 1.3})
case('geluTanh', lambda t: F.gelu(t, approximate='tanh'), [x])
case('softplus', lambda t: F.softplus(t, beta=2, threshold=5), [r(5, 6) * 4], attrs={'beta': 2, 'threshold': 5})
case('softplus', F.softplus, [r(5, 6) * 4], attrs={'beta': 1, 'threshold': 20})
case('clamp', lambda t: torch.clamp(t, -0.5, 0.7), [x], attrs={'min': -0.5, 'max': 0.7})
case('clamp', lambda t: torch.clamp(t, min=0.1), [x], attrs={'min': 0.1})
case('where', lambda c, a, b: torch.where(c > 0, a, b), [r(3, 4), r(3, 4), r(4)])
case('maxout', lambda t: t.view(2, 3, 2, 5).amax(2), [r(2, 6, 5)], attrs={'pieces': 2})
case('maxout', lambda t: t.view(3, 4, 3).amax(2), [r(3, 12)], attrs={'pieces': 3})

# ---- reductions ----
x = r(3, 4, 5)
case('sum', lambda t: t.sum(), [x], attrs={})
case('sum', lambda t: t.sum(dim=[1, 2], keepdim=True), [x], attrs={'dim': [1, 2], 'keepdim': True})
case('sum', lambda t: t.sum(dim=-1), [x], attrs={'dim': -1})
case('sum', lambda t: t.sum(), [r(100000)], attrs={}, tol=1e-4)
case('mean', lambda t: t.mean(dim=0), [x], attrs={'dim': 0})
case('mean', lambda t: t.mean(), [x], attrs={})
case('var', lambda t: t.var(dim=1), [x], attrs={'dim': 1})
case('var', lambda t: t.var(dim=[0, 2], unbiased=False, keepdim=True), [x], attrs={'dim': [0, 2], 'unbiased': False, 'keepdim': True})
case('std', lambda t: t.std(dim=2), [x], attrs={'dim': 2})
case('std', lambda t: t.std(), [x], attrs={})
case('max', lambda t: torch.max(t, 1), [x], attrs={'dim': 1}, extras=['indices'])
case('min', lambda t: torch.min(t, 0, keepdim=True), [x], attrs={'dim': 0, 'keepdim': True}, extras=['indices'])
case('amax', lambda t: t.amax(dim=[0, 2]), [x], attrs={'dim': [0, 2]})
case('amin', lambda t: t.amin(), [x], attrs={})
case('argmax', lambda t: t.argmax(dim=2), [x], attrs={'dim': 2}, grad=False)
case('argmin', lambda t: t.argmin(), [x], attrs={}, grad=False)
case('logsumexp', lambda t: torch.logsumexp(t, dim=1), [x * 10], attrs={'dim': 1})
case('logsumexp', lambda t: torch.logsumexp(t, dim=[0, 2], keepdim=True), [x], attrs={'dim': [0, 2], 'keepdim': True})

# ---- shape ----
x = r(2, 3, 4)
case('reshape', lambda t: t.reshape(4, -1), [x], attrs={'shape': [4, -1]})
case('permute', lambda t: t.permute(2, 0, 1), [x], attrs={'dims': [2, 0, 1]})
case('transpose', lambda t: t.transpose(0, 2), [x], attrs={'dim0': 0, 'dim1': 2})
case('flatten', lambda t: t.flatten(1), [x], attrs={'startDim': 1})
case('squeeze', lambda t: t.squeeze(1), [r(3, 1, 4)], attrs={'dim': 1})
case('unsqueeze', lambda t: t.unsqueeze(-1), [x], attrs={'dim': -1})
case('expand', lambda t: t.expand(2, 3, 4), [r(3, 1)], attrs={'shape': [2, 3, 4]})
case('cat', lambda a, b, c: torch.cat([a, b, c], 1), [r(2, 1, 3), r(2, 4, 3), r(2, 2, 3)], attrs={'dim': 1})
case('stack', lambda a, b: torch.stack([a, b], 1), [r(2, 3), r(2, 3)], attrs={'dim': 1})
case('split', lambda t: torch.split(t, 2, 2)[1], [r(2, 3, 5)], attrs={'size': 2, 'dim': 2, 'pick': 1})
case('split', lambda t: torch.split(t, [1, 3, 1], 2)[2], [r(2, 3, 5)], attrs={'size': [1, 3, 1], 'dim': 2, 'pick': 2})
case('chunk', lambda t: torch.chunk(t, 3, 0)[2], [r(7, 2)], attrs={'chunks': 3, 'dim': 0, 'pick': 2})
case('narrow', lambda t: t.narrow(1, 1, 2), [x], attrs={'dim': 1, 'start': 1, 'length': 2})
case('slice', lambda t: t[:, :, 1::2], [r(2, 3, 7)], attrs={'dim': 2, 'start': 1, 'step': 2})
case('indexSelect', lambda t, i: torch.index_select(t, 1, i), [x, torch.tensor([2, 0, 2, 1])], attrs={'dim': 1})
case('gather', lambda t, i: torch.gather(t, 1, i), [r(3, 5), lab(5, 3, 2)], attrs={'dim': 1})
x4 = r(2, 3, 4, 5)
for mode in ['constant', 'reflect', 'replicate', 'circular']:
    case('pad', lambda t, mode=mode: F.pad(t, (1, 2, 3, 1), mode=mode), [x4], attrs={'pad': [1, 2, 3, 1], 'mode': mode})
case('pad', lambda t: F.pad(t, (2, 0), value=1.5), [r(3, 4)], attrs={'pad': [2, 0], 'mode': 'constant', 'value': 1.5})

# ---- matmul / linear ----
case('matmul', torch.matmul, [r(5, 7), r(7, 3)])
case('matmul', torch.matmul, [r(2, 1, 4, 6), r(3, 6, 5)])
case('matmul', torch.matmul, [r(6), r(6, 4)])
case('matmul', torch.matmul, [r(3, 6), r(6)])
case('matmul', torch.matmul, [r(33, 65), r(65, 17)])
case('linear', F.linear, [r(4, 9), r(5, 9), r(5)])
case('linear', F.linear, [r(2, 3, 9), r(5, 9)])

# ---- softmax ----
case('softmax', lambda t: F.softmax(t, 1), [r(4, 6) * 3], attrs={'dim': 1})
case('softmax', lambda t: F.softmax(t, 0), [r(2, 3, 4)], attrs={'dim': 0})
case('logSoftmax', lambda t: F.log_softmax(t, -1), [r(4, 6) * 3], attrs={'dim': -1})
case('logSoftmax', lambda t: F.log_softmax(t, 1), [r(2, 5, 3, 3)], attrs={'dim': 1})

# ---- conv2d ----
convs = [
    ([2, 3, 7, 8], [4, 3, 3, 3], True, {}),
    ([2, 3, 9, 9], [5, 3, 3, 3], True, {'stride': 2, 'padding': 1}),
    ([1, 2, 11, 10], [3, 2, 3, 3], False, {'dilation': 2, 'padding': 2}),
    ([2, 4, 6, 7], [6, 2, 3, 2], True, {'groups': 2, 'padding': [1, 0]}),
    ([2, 4, 8, 8], [4, 1, 3, 3], True, {'groups': 4, 'padding': 1, 'stride': 2}),
    ([1, 3, 6, 6], [2, 3, 4, 4], True, {'padding': 'same'}),
    ([1, 3, 7, 5], [2, 3, 2, 3], True, {'padding': 'same', 'dilation': 2}),
    ([2, 3, 5, 6], [4, 3, 3, 3], True, {'padding': 'valid'}),
    ([3, 5, 4, 4], [7, 5, 1, 1], True, {}),
    ([1, 1, 13, 11], [2, 1, 5, 5], True, {'stride': [3, 2], 'padding': [2, 1], 'dilation': [1, 2]}),
    ([2, 6, 5, 5], [3, 2, 3, 3], False, {'groups': 3, 'stride': 2}),
]
for xs, ws, bias, kw in convs:
    ins = [r(*xs), r(*ws) * 0.5] + ([r(ws[0])] if bias else [])
    case('conv2d', lambda *t, kw=kw: F.conv2d(t[0], t[1], t[2] if len(t) > 2 else None, **kw), ins, attrs=kw)

# ---- pooling ----
for xs, k, kw in [([2, 3, 8, 8], 2, {}), ([1, 2, 9, 7], 3, {'stride': 2, 'padding': 1}), ([1, 2, 10, 10], 3, {'stride': 2, 'dilation': 2}),
                  ([2, 2, 7, 7], 2, {'stride': 2, 'ceil_mode': True}), ([1, 1, 8, 9], [3, 2], {'stride': [2, 1], 'padding': [1, 1], 'ceil_mode': True})]:
    attrs = {'kernelSize': k, **{('ceilMode' if a == 'ceil_mode' else a): v for a, v in kw.items()}}
    case('maxPool2d', lambda t, k=k, kw=kw: F.max_pool2d(t, k, return_indices=True, **kw), [r(*xs)], attrs=attrs, extras=['indices'])
for xs, k, kw in [([2, 3, 8, 8], 2, {}), ([1, 2, 9, 7], 3, {'stride': 2, 'padding': 1}), ([1, 2, 9, 7], 3, {'stride': 2, 'padding': 1, 'count_include_pad': False}),
                  ([2, 2, 7, 7], 2, {'stride': 2, 'ceil_mode': True}), ([1, 2, 6, 8], 3, {'stride': 2, 'padding': 1, 'ceil_mode': True, 'count_include_pad': False}),
                  ([1, 1, 6, 6], 3, {'stride': 1, 'divisor_override': 4})]:
    ren = {'ceil_mode': 'ceilMode', 'count_include_pad': 'countIncludePad', 'divisor_override': 'divisorOverride'}
    attrs = {'kernelSize': k, **{ren.get(a, a): v for a, v in kw.items()}}
    case('avgPool2d', lambda t, k=k, kw=kw: F.avg_pool2d(t, k, **kw), [r(*xs)], attrs=attrs)
for xs, out in [([2, 3, 7, 9], [1, 1]), ([1, 2, 7, 9], [3, 5]), ([1, 1, 5, 5], [5, 5]), ([1, 2, 4, 6], [6, 4])]:
    case('adaptiveAvgPool2d', lambda t, out=out: F.adaptive_avg_pool2d(t, out), [r(*xs)], attrs={'outputSize': out})
for xs, out in [([2, 3, 7, 9], [2, 3]), ([1, 2, 5, 5], [1, 1])]:
    case('adaptiveMaxPool2d', lambda t, out=out: F.adaptive_max_pool2d(t, out, return_indices=True), [r(*xs)], attrs={'outputSize': out}, extras=['indices'])

# ---- normalization ----
def bn_train(x, w, b, rm, rv, momentum=0.1, eps=1e-5):
    rm, rv = rm.detach().clone(), rv.detach().clone()
    y = F.batch_norm(x, rm, rv, w, b, training=True, momentum=momentum, eps=eps)
    return y, rm, rv
case('batchNormTrain', bn_train, [r(4, 3, 5, 5) * 2 + 1, r(3), r(3), r(3), pos(3)], attrs={}, extras=['runningMean', 'runningVar'], const=(3, 4))
case('batchNormTrain', lambda x, w, b, rm, rv: bn_train(x, w, b, rm, rv, 0.3, 1e-3), [r(6, 4), r(4), r(4), r(4), pos(4)], attrs={'momentum': 0.3, 'eps': 1e-3}, extras=['runningMean', 'runningVar'], const=(3, 4))
case('batchNormEval', lambda x, w, b, rm, rv: F.batch_norm(x, rm, rv, w, b, training=False), [r(2, 3, 4, 4), r(3), r(3), r(3), pos(3)], const=(3, 4))
case('layerNorm', lambda x, w, b: F.layer_norm(x, [4, 5], w, b), [r(3, 2, 4, 5), r(4, 5), r(4, 5)], attrs={'normalizedShape': [4, 5]})
case('layerNorm', lambda x: F.layer_norm(x, [6], eps=1e-3), [r(5, 6)], attrs={'normalizedShape': [6], 'eps': 1e-3})
case('groupNorm', lambda x, w, b: F.group_norm(x, 2, w, b), [r(2, 6, 3, 4), r(6), r(6)], attrs={'numGroups': 2})
case('groupNorm', lambda x: F.group_norm(x, 3), [r(3, 3, 5)], attrs={'numGroups': 3})
case('instanceNorm', lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [r(2, 3, 4, 5), r(3), r(3)])
case('localResponseNorm', lambda x: F.local_response_norm(x, 5, alpha=1e-2, beta=0.75, k=2.0), [r(2, 7, 3, 3) * 3], attrs={'size': 5, 'alpha': 1e-2, 'beta': 0.75, 'k': 2.0})
case('localResponseNorm', lambda x: F.local_response_norm(x, 4), [r(1, 6, 2, 3) * 10], attrs={'size': 4})

# ---- losses ----
logits, y = r(6, 5) * 2, lab(5, 6)
w = pos(5)
case('crossEntropy', F.cross_entropy, [logits, y])
case('crossEntropy', lambda a, t, wt: F.cross_entropy(a, t, weight=wt), [logits, y, w], attrs={'weighted': True}, const=(2,))
yi = y.clone(); yi[1] = -100; yi[4] = -100
case('crossEntropy', F.cross_entropy, [logits, yi], name='crossEntropy#ignore')
yi3 = y.clone(); yi3[2] = 3; yi3[0] = 3
case('crossEntropy', lambda a, t: F.cross_entropy(a, t, ignore_index=3, reduction='sum'), [logits, yi3], attrs={'ignoreIndex': 3, 'reduction': 'sum'})
case('crossEntropy', lambda a, t: F.cross_entropy(a, t, reduction='none'), [logits, y], attrs={'reduction': 'none'})
case('crossEntropy', lambda a, t: F.cross_entropy(a, t, label_smoothing=0.1), [logits, y], attrs={'labelSmoothing': 0.1})
case('crossEntropy', lambda a, t, wt: F.cross_entropy(a, t, weight=wt, label_smoothing=0.2, ignore_index=-100), [logits, yi, w], attrs={'weighted': True, 'labelSmoothing': 0.2}, const=(2,))
case('crossEntropy', lambda a, t: F.cross_entropy(a, t, label_smoothing=0.3, reduction='sum'), [logits, y], attrs={'labelSmoothing': 0.3, 'reduction': 'sum'})
case('crossEntropy', F.cross_entropy, [r(2, 4, 3, 3), lab(4, 2, 3, 3)], name='crossEntropy#spatial')
case('crossEntropy', F.cross_entropy, [logits, F.softmax(r(6, 5), 1)], name='crossEntropy#probs')
case('crossEntropy', lambda a, t: F.cross_entropy(a, t, label_smoothing=0.25), [logits, F.softmax(r(6, 5), 1)], attrs={'labelSmoothing': 0.25}, name='crossEntropy#probsSmooth')
case('nllLoss', F.nll_loss, [F.log_softmax(logits, 1), y])
case('nllLoss', lambda a, t, wt: F.nll_loss(a, t, weight=wt, reduction='sum'), [F.log_softmax(logits, 1), y, w], attrs={'weighted': True, 'reduction': 'sum'}, const=(2,))
a, b = r(4, 5), r(4, 5)
case('mseLoss', F.mse_loss, [a, b])
case('mseLoss', lambda p, q: F.mse_loss(p, q, reduction='sum'), [a, b], attrs={'reduction': 'sum'})
case('l1Loss', F.l1_loss, [a, b])
case('smoothL1Loss', F.smooth_l1_loss, [a * 2, b * 2])
case('smoothL1Loss', lambda p, q: F.smooth_l1_loss(p, q, beta=0.5, reduction='none'), [a * 2, b * 2], attrs={'beta': 0.5, 'reduction': 'none'})
case('huberLoss', lambda p, q: F.huber_loss(p, q, delta=0.7), [a * 2, b * 2], attrs={'delta': 0.7})
case('bceWithLogits', F.binary_cross_entropy_with_logits, [r(4, 3) * 5, torch.rand(4, 3)])
case('bceWithLogits', lambda p, q, wt, pw: F.binary_cross_entropy_with_logits(p, q, weight=wt, pos_weight=pw), [r(4, 3) * 30, (torch.rand(4, 3) > 0.5).float(), pos(4, 3), pos(3) * 2], attrs={'weighted': True}, const=(2, 3), float64=True)
case('multiMarginLoss', F.multi_margin_loss, [logits, y])
case('multiMarginLoss', lambda p, t, wt: F.multi_margin_loss(p, t, p=2, margin=0.5, weight=wt, reduction='sum'), [logits, y, w], attrs={'p': 2, 'margin': 0.5, 'weighted': True, 'reduction': 'sum'}, const=(2,))

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_fixtures.py', 'torch': torch.__version__, 'cases': CASES}, f, separators=(',', ':'))
print(f'wrote {len(CASES)} cases to {os.path.normpath(out)} ({os.path.getsize(out) // 1024} KiB)', file=sys.stderr)


# =====================================================================================================
# Optimizers, LR schedules and init (the nn/optim issue) -> test/fixtures/optim.json
# =====================================================================================================
import math
import torch.nn as nn
import torch.optim as optim
from torch.optim import lr_scheduler as sch

torch.manual_seed(99)


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(48, 5))


X = torch.randn(4, 1, 8, 8)
Y = torch.randint(0, 5, (4,))
INIT = small_cnn().state_dict()
OPTIM_CASES = []


def optim_case(name, make, kwargs, groups=None):
    model = small_cnn()
    model.load_state_dict(INIT)
    params = model.parameters() if groups is None else [
        {'params': [p for n, p in model.named_parameters() if n.startswith(prefix)], **g} for prefix, g in groups]
    opt = make(params, **kwargs)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(model(X), Y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    OPTIM_CASES.append({'name': name, 'optimizer': make.__name__, 'options': kwargs, 'groups': groups, 'losses': losses,
                        'final': {k: enc(v) for k, v in model.state_dict().items()}})


optim_case('sgd', optim.SGD, {'lr': 0.1})
optim_case('sgd-momentum', optim.SGD, {'lr': 0.05, 'momentum': 0.9})
optim_case('sgd-dampening-wd', optim.SGD, {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.1, 'weight_decay': 1e-2})
optim_case('sgd-nesterov', optim.SGD, {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 5e-4})
optim_case('rmsprop', optim.RMSprop, {'lr': 0.01})
optim_case('rmsprop-centered-momentum', optim.RMSprop, {'lr': 0.005, 'alpha': 0.9, 'momentum': 0.9, 'centered': True, 'weight_decay': 1e-3})
optim_case('adam', optim.Adam, {'lr': 0.01})
optim_case('adam-amsgrad-l2', optim.Adam, {'lr': 0.01, 'betas': [0.8, 0.99], 'weight_decay': 1e-2, 'amsgrad': True})
optim_case('adamw', optim.AdamW, {'lr': 0.01, 'weight_decay': 0.1})
optim_case('adamw-amsgrad', optim.AdamW, {'lr': 0.01, 'amsgrad': True, 'eps': 1e-6})
optim_case('adagrad', optim.Adagrad, {'lr': 0.1, 'lr_decay': 0.01, 'weight_decay': 1e-3, 'initial_accumulator_value': 0.1})
optim_case('adadelta', optim.Adadelta, {'lr': 1.0, 'rho': 0.95, 'eps': 1e-6})
optim_case('sgd-param-groups', optim.SGD, {'lr': 0.1, 'momentum': 0.9}, groups=[['0.', {'lr': 0.01}], ['4.', {}]])

SCHED_CASES = []


def sched_case(name, make, steps=100, groups=(0.1,), opt_cls=optim.SGD, opt_kwargs=None, metrics=None):
    params = [{'params': [torch.zeros(1, requires_grad=True)], 'lr': lr} for lr in groups]
    opt = opt_cls(params, **(opt_kwargs or {'lr': groups[0]}))
    s = make(opt)
    lrs, moms = [[g['lr'] for g in opt.param_groups]], []
    mom = lambda: [g['betas'][0] if 'betas' in g else g.get('momentum') for g in opt.param_groups]
    moms.append(mom())
    for i in range(steps):
        opt.step()
        if metrics is not None:
            s.step(metrics[i])
        else:
            s.step()
        lrs.append([g['lr'] for g in opt.param_groups])
        moms.append(mom())
    SCHED_CASES.append({'name': name, 'lrs': lrs, 'momentums': moms, 'metrics': metrics})


sched_case('StepLR', lambda o: sch.StepLR(o, step_size=30, gamma=0.1))
sched_case('StepLR-two-groups', lambda o: sch.StepLR(o, step_size=7, gamma=0.5), groups=(0.1, 0.01))
sched_case('MultiStepLR', lambda o: sch.MultiStepLR(o, milestones=[30, 60, 90], gamma=0.1))
sched_case('ExponentialLR', lambda o: sch.ExponentialLR(o, gamma=0.95))
sched_case('CosineAnnealingLR', lambda o: sch.CosineAnnealingLR(o, T_max=100))
sched_case('CosineAnnealingLR-periodic', lambda o: sch.CosineAnnealingLR(o, T_max=20, eta_min=0.001))
sched_case('LinearLR', lambda o: sch.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=10))
sched_case('ConstantLR', lambda o: sch.ConstantLR(o, factor=0.5, total_iters=4))
sched_case('PolynomialLR', lambda o: sch.PolynomialLR(o, total_iters=50, power=2.0))
sched_case('InverseSqrtLR', lambda o: sch.LambdaLR(o, lambda t: 1 / math.sqrt(t + 1)))
sched_case('MultiplicativeLR', lambda o: sch.MultiplicativeLR(o, lambda t: 0.97))
sched_case('SequentialLR-warmup-cosine', lambda o: sch.SequentialLR(o, [sch.LinearLR(o, 0.1, 1.0, 5), sch.CosineAnnealingLR(o, 95)], [5]))
sched_case('SequentialLR-warmup-multistep', lambda o: sch.SequentialLR(o, [sch.LinearLR(o, 0.25, 1.0, 10), sch.MultiStepLR(o, [30, 60], 0.1)], [10]))
sched_case('ChainedScheduler', lambda o: sch.ChainedScheduler([sch.LinearLR(o, 0.2, 1.0, 10), sch.ExponentialLR(o, 0.98)]))
sched_case('OneCycleLR', lambda o: sch.OneCycleLR(o, max_lr=0.5, total_steps=100), opt_kwargs={'lr': 0.1, 'momentum': 0.9})
sched_case('OneCycleLR-three-phase-linear-adam', lambda o: sch.OneCycleLR(o, max_lr=0.01, total_steps=100, three_phase=True, anneal_strategy='linear', pct_start=0.25), opt_cls=optim.Adam, opt_kwargs={'lr': 0.001})
plateau_metrics = [1.0 / (1 + 0.1 * i) if i < 20 else 0.33 + 0.001 * ((i * 7) % 5) for i in range(100)]
sched_case('ReduceLROnPlateau', lambda o: sch.ReduceLROnPlateau(o, mode='min', factor=0.5, patience=3, cooldown=2, threshold=0.01), metrics=plateau_metrics)
sched_case('ReduceLROnPlateau-max-abs', lambda o: sch.ReduceLROnPlateau(o, mode='max', factor=0.3, patience=2, threshold=0.001, threshold_mode='abs', min_lr=0.002), metrics=[-m for m in plateau_metrics])

INIT_CASES = []
for shape in [[20, 1, 5, 5], [50, 20, 5, 5], [500, 2450], [10, 500], [64, 16, 3, 3], [32, 1, 3, 3]]:
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    INIT_CASES.append({'shape': shape, 'fanIn': fan_in, 'fanOut': fan_out})
GAINS = {k: nn.init.calculate_gain(k) for k in ['linear', 'conv2d', 'sigmoid', 'tanh', 'relu', 'selu']}
GAINS['leaky_relu(0.2)'] = nn.init.calculate_gain('leaky_relu', 0.2)
GAINS['leaky_relu'] = nn.init.calculate_gain('leaky_relu')
DEFAULT_BOUNDS = {}
for name, mod in [('conv5x5', nn.Conv2d(20, 50, 5)), ('linear', nn.Linear(2450, 500)), ('depthwise', nn.Conv2d(32, 32, 3, groups=32))]:
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(mod.weight)
    DEFAULT_BOUNDS[name] = {'fanIn': fan_in, 'weightAbsMax': mod.weight.abs().max().item(), 'weightStd': mod.weight.std().item(),
                            'biasAbsMax': mod.bias.abs().max().item()}

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'optim.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/gen_fixtures.py', 'torch': torch.__version__, 'input': enc(X), 'labels': enc(Y),
               'init': {k: enc(v) for k, v in INIT.items()}, 'optimizers': OPTIM_CASES, 'schedulers': SCHED_CASES,
               'fans': INIT_CASES, 'gains': GAINS, 'defaultInit': DEFAULT_BOUNDS}, f, separators=(',', ':'))
print(f'wrote {len(OPTIM_CASES)} optimizer and {len(SCHED_CASES)} scheduler cases to {os.path.normpath(out)} ({os.path.getsize(out) // 1024} KiB)', file=sys.stderr)
