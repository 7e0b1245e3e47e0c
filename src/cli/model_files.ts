/**
 * Models and weights for the commands: a zoo model or an ONNX file, with weights from any format io.loadWeights reads;
 * `convnet train` writes safetensors with a model card (model name, options, classes and preprocessing).
 */
import { loadOnnx, loadWeights } from '../io/index.js';
import type { OnnxModel } from '../io/onnx/import.js';
import * as models from '../models/index.js';
import type { AnyModule } from '../nn/module.js';
import type { Preprocess } from './recipes.js';

export interface ModelCard {
  model: string;
  modelOptions: Record<string, unknown>;
  dataset: string;
  classes: string[];
  /** [C, H, W] of the dataset's images before padding. */
  sampleShape: number[];
  preprocess: Preprocess;
}

export function cardMetadata(card: ModelCard): Record<string, string> {
  return { format: 'pt', 'convnet-ts.model': JSON.stringify(card) };
}

/** `--model` may name a zoo model or an ONNX file (its graph is the architecture). */
export const isOnnxPath = (model: string): boolean => model.toLowerCase().endsWith('.onnx');

/** An ONNX model and the [C, H, W] its input declares. */
export async function loadOnnxModel(path: string): Promise<{ model: OnnxModel; inputShape: [number, number, number] }> {
  const model = await loadOnnx(path);
  const dims = model.inputShapes[0];
  if (dims.length !== 4 || dims.slice(1).some((d) => d === null)) {
    throw new Error(`${path}: expected an image input [N, C, H, W] with fixed C, H and W, got [${dims.map((d) => d ?? '?').join(', ')}]`);
  }
  return { model, inputShape: [dims[1]!, dims[2]!, dims[3]!] };
}

/** Builds the model named on the command line (or read from an ONNX file) and loads weights into it; the file's card (if any) is returned. */
export async function loadModelWithWeights(
  modelName: string,
  weightsPath: string,
  extraOptions: Record<string, unknown>,
): Promise<{ model: AnyModule; card: ModelCard | null }> {
  // Any weights file: safetensors (with a model card when convnet train wrote it), a PyTorch checkpoint or ONNX.
  const { stateDict: tensors, metadata } = await loadWeights(weightsPath);
  const card = metadata['convnet-ts.model'] ? (JSON.parse(metadata['convnet-ts.model']) as ModelCard) : null;
  const onnx = isOnnxPath(modelName);
  if (card && !onnx && card.model !== modelName) throw new Error(`${weightsPath} holds weights of '${card.model}', not '${modelName}'`);
  const model = onnx ? (await loadOnnxModel(modelName)).model : models.create(modelName, { ...(card?.modelOptions ?? {}), ...extraOptions });
  // Checkpoints store weights under model.*; plain weight files at the top level.
  const isCheckpoint = Object.keys(tensors).some((k) => k.startsWith('model.'));
  const weights = isCheckpoint
    ? Object.fromEntries(
        Object.entries(tensors)
          .filter(([k]) => k.startsWith('model.'))
          .map(([k, v]) => [k.slice(6), v]),
      )
    : tensors;
  try {
    model.loadStateDict(weights);
  } catch (e) {
    throw new Error(`${weightsPath} does not fit model '${modelName}': ${(e as Error).message}`);
  }
  return { model: model.eval(), card };
}
