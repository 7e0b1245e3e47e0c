/**
 * Transfer learning, the lectures' recipe: replace the classifier head for a new number of classes, freeze the
 * early layers by name, give the backbone a lower learning rate (1/10 is the lectures' starting point), or train
 * the head alone on frozen features (a linear probe).
 * Example:
 *   const model = models.create('resnet18'); model.loadStateDict(await io.loadPthStateDict('resnet18.pth'));
 *   const head = replaceHead(model, 5);                       // 'fc', now Linear(512 → 5)
 *   freeze(model, ['conv1', 'bn1', 'layer1', 'layer2']);
 *   const opt = new optim.SGD(paramGroups(model, { lr: 0.01, head }), { lr: 0.01, momentum: 0.9 });
 */
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { Conv2d } from './layers/conv.js';
import { Linear } from './layers/linear.js';

/** Whether the dotted parameter/module `name` is `pattern` or lies under it ('layer1' covers 'layer1.0.conv1.weight'). */
function matches(name: string, pattern: string | RegExp): boolean {
  if (pattern instanceof RegExp) return pattern.test(name);
  if (pattern.includes('*')) {
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^.]*')}(\\.|$)`,
    );
    return re.test(name);
  }
  return name === pattern || name.startsWith(`${pattern}.`);
}

function setTrainable(model: Module, patterns: readonly (string | RegExp)[], flag: boolean, op: string): string[] {
  if (!patterns.length) throw new Error(`${op}: give at least one name pattern (e.g. 'layer1', 'features.*', /^conv/)`);
  const names: string[] = [];
  const used = new Set<string | RegExp>();
  for (const [name, p] of model.namedParameters()) {
    const hit = patterns.find((pt) => matches(name, pt));
    if (hit === undefined) continue;
    used.add(hit);
    p.requiresGrad = flag;
    if (!flag) p.grad = null;
    names.push(name);
  }
  const unused = patterns.filter((pt) => !used.has(pt));
  if (unused.length) {
    const top = [...new Set(model.namedParameters().map(([n]) => n.split('.')[0]))].join(', ');
    throw new Error(`${op}: no parameter matches ${unused.map((u) => `'${String(u)}'`).join(', ')} (top-level names: ${top})`);
  }
  return names;
}

/**
 * Stops gradients for every parameter whose name matches a pattern: a module path ('layer1' covers
 * 'layer1.0.conv1.weight'), a glob with * for one name segment ('features.*'), or a RegExp. A pattern that
 * matches nothing is an error (a typo would silently train everything). Returns the frozen parameter names.
 */
export function freeze(model: Module, patterns: readonly (string | RegExp)[]): string[] {
  return setTrainable(model, patterns, false, 'freeze');
}

/** The reverse of freeze; with no patterns, makes every parameter trainable again. */
export function unfreeze(model: Module, patterns?: readonly (string | RegExp)[]): string[] {
  if (!patterns) {
    const names = model.namedParameters().map(([n, p]) => {
      p.requiresGrad = true;
      return n;
    });
    return names;
  }
  return setTrainable(model, patterns, true, 'unfreeze');
}

/** The classifier head: the last Linear (or, as in SqueezeNet, the last Conv2d when there is no Linear). */
export function findHead(model: Module): { path: string; module: Linear | Conv2d } {
  let linear: [string, Linear] | null = null;
  let conv: [string, Conv2d] | null = null;
  for (const [path, m] of model.namedModules()) {
    if (m instanceof Linear) linear = [path, m];
    else if (m instanceof Conv2d) conv = [path, m];
  }
  const found = linear ?? conv;
  if (!found || !found[0]) throw new Error(`findHead: ${model.constructor.name} has no Linear or Conv2d layer to use as the classifier head`);
  return { path: found[0], module: found[1] };
}

/**
 * Replaces the classifier head (default: findHead's) with a freshly initialized layer of `numClasses` outputs and
 * the same inputs. Returns the head's path ('fc', 'classifier.1', ...).
 */
export function replaceHead(model: Module, numClasses: number, opts: { path?: string } = {}): string {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`replaceHead: numClasses must be a positive integer, got ${numClasses}`);
  let path: string;
  let old: Module;
  if (opts.path !== undefined) {
    const entry = [...model.namedModules()].find(([p]) => p === opts.path);
    if (!entry || !entry[0]) throw new Error(`replaceHead: no module at '${opts.path}'`);
    [path, old] = entry;
  } else {
    ({ path, module: old } = findHead(model));
  }
  let head: Module;
  if (old instanceof Linear) head = new Linear(old.inFeatures, numClasses, { bias: old.bias !== null });
  else if (old instanceof Conv2d)
    head = new Conv2d(old.inChannels, numClasses, old.kernelSize, { stride: old.stride, padding: old.padding, bias: old.bias !== null });
  else throw new Error(`replaceHead: the module at '${path}' is a ${old.constructor.name}, not a Linear or Conv2d`);
  const parts = path.split('.');
  const parentPath = parts.slice(0, -1).join('.');
  const parent = parentPath ? [...model.namedModules()].find(([p]) => p === parentPath)![1] : model;
  parent.replaceChild(parts[parts.length - 1], head);
  return path;
}

/**
 * Optimizer parameter groups: the head at `lr`, every other trainable parameter (the backbone) at
 * lr·backboneLrScale (default 0.1). Frozen parameters are left out.
 */
export function paramGroups(model: Module, opts: { lr: number; head?: string; backboneLrScale?: number }): { params: Tensor[]; lr: number }[] {
  const head = opts.head ?? findHead(model).path;
  const scale = opts.backboneLrScale ?? 0.1;
  if (!(scale >= 0)) throw new Error(`paramGroups: backboneLrScale must be >= 0, got ${scale}`);
  const headParams: Tensor[] = [];
  const backbone: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    (matches(name, head) ? headParams : backbone).push(p);
  }
  if (!headParams.length) throw new Error(`paramGroups: no trainable parameter under the head '${head}'`);
  const groups = [{ params: headParams, lr: opts.lr }];
  if (backbone.length && scale > 0) groups.unshift({ params: backbone, lr: opts.lr * scale });
  return groups;
}

/** A linear probe: a new head of `numClasses` outputs, everything else frozen. Returns the head's path. */
export function linearProbe(model: Module, numClasses: number, opts: { path?: string } = {}): string {
  const path = replaceHead(model, numClasses, opts);
  for (const [name, p] of model.namedParameters()) p.requiresGrad = matches(name, path);
  return path;
}
