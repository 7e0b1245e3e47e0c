/**
 * A model definition: a zoo model's name and its options as JSON (what `convnet search` writes for the network it
 * found), so an architecture travels as a small file and builds with models.create — `convnet train --model FILE.json`.
 */
import type { Module } from '../nn/module.js';
import { create, list } from './registry.js';

export const MODEL_DEFINITION_FORMAT = 'convnet-ts.model-definition/1';

export interface ModelDefinition {
  format: typeof MODEL_DEFINITION_FORMAT;
  /** A registered zoo model (models.list()). */
  model: string;
  /** Its options, as models.create takes them. */
  options: Record<string, unknown>;
  description?: string;
}

/**
 * Parses and checks a definition (text or an already parsed value); `source` names it in errors (e.g. the file).
 * Example: const def = parseModelDefinition(await readFile('model.json', 'utf8'), 'model.json')
 */
export function parseModelDefinition(input: string | unknown, source = 'model definition'): ModelDefinition {
  let v: unknown = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${source}: expected a JSON object with 'format', 'model' and 'options'`);
  const d = v as Record<string, unknown>;
  if (d.format !== MODEL_DEFINITION_FORMAT) throw new Error(`${source}: format must be '${MODEL_DEFINITION_FORMAT}', got ${JSON.stringify(d.format)}`);
  if (typeof d.model !== 'string' || !list().some((m) => m.name === d.model))
    throw new Error(`${source}: 'model' must name a zoo model (see convnet summary --list), got ${JSON.stringify(d.model)}`);
  if (!d.options || typeof d.options !== 'object' || Array.isArray(d.options))
    throw new Error(`${source}: 'options' must be an object, got ${JSON.stringify(d.options)}`);
  return {
    format: MODEL_DEFINITION_FORMAT,
    model: d.model,
    options: d.options as Record<string, unknown>,
    description: typeof d.description === 'string' ? d.description : undefined,
  };
}

/**
 * Builds the model a definition describes; `overrides` (e.g. numClasses, inChannels, a larger filters) win over its options.
 * Example: const net = models.fromDefinition(def, { numClasses: 10, inChannels: 1 })
 */
export function fromDefinition(def: ModelDefinition, overrides: Record<string, unknown> = {}): Module {
  const d = parseModelDefinition(def);
  return create(d.model, { ...d.options, ...overrides });
}
