/**
 * Which zoo architecture a state dict is for (a torchvision `.pth`, a safetensors file), from its names and shapes
 * alone — so a file can be opened without saying what it is. The zoo's signatures are precomputed
 * (signatures.generated.ts); a fine-tuned classifier (another number of classes) still matches.
 */
import type { Module } from '../nn/module.js';
import { findHead } from '../nn/transfer.js';
import type { Tensor } from '../tensor/tensor.js';
import { stateDictSignature } from './signature.js';
import { ZOO_SIGNATURES } from './signatures.generated.js';

/** The classifier weight's state-dict name (the last Linear, else the last Conv2d): 'fc.weight', 'classifier.1.weight'. */
export function headOf(model: Module): string {
  return `${findHead(model).path}.weight`;
}

export interface Identified {
  /** The zoo name (models.create(name, { numClasses })). */
  name: string;
  numClasses: number;
  /** Every zoo name with this exact layout (aliases, e.g. lenet5 and lenet), the first being `name`. */
  matches: string[];
}

/**
 * Args: stateDict — tensors (or just their shapes) by state-dict name.
 * Returns: the zoo model it fits, with its number of classes, or null when none does.
 * Example: const id = models.identify((await io.loadWeights(file)).stateDict); models.create(id.name, { numClasses: id.numClasses })
 */
export function identify(stateDict: Readonly<Record<string, Tensor | readonly number[]>>): Identified | null {
  const shapes: Record<string, readonly number[]> = {};
  for (const [k, v] of Object.entries(stateDict)) shapes[k] = Array.isArray(v) ? (v as readonly number[]) : (v as Tensor).shape;
  const byHead = new Map<string, string | null>();
  const matches: string[] = [];
  for (const z of ZOO_SIGNATURES) {
    if (!byHead.has(z.head)) byHead.set(z.head, stateDictSignature(shapes, z.head));
    if (byHead.get(z.head) === z.signature) matches.push(z.name);
  }
  if (!matches.length) return null;
  const head = ZOO_SIGNATURES.find((z) => z.name === matches[0])!.head;
  return { name: matches[0], numClasses: shapes[head][0], matches };
}
