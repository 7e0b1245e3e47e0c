/** Messages between the "bring your own model" page and its Worker. */

export interface LayerSummary {
  name: string;
  type: string;
  depth: number;
  group: boolean;
  outputShape: number[];
  params: number;
  memoryKB: number;
  flops: number;
  receptiveField: number;
}

export interface OpenedModel {
  file: string;
  format: 'safetensors' | 'pth' | 'onnx';
  /** The zoo architecture the weights fit (null for ONNX: its graph is the architecture). */
  architecture: string | null;
  /** Other zoo names with the same layout. */
  alsoMatches: string[];
  numClasses: number;
  inputShape: number[];
  parameters: number;
  layers: LayerSummary[];
  total: { memoryKB: number; params: number; flops: number };
  /** Whether the class names shown are ImageNet's (a 1000-class model). */
  imagenet: boolean;
}

export interface ImageResult {
  /** The input as the model sees it (after resizing), [C, H, W] in [0, 1]. */
  input: Float32Array;
  top: { cls: number; label: string; p: number }[];
  /** Outputs of the model's direct children for this image (first 16 channels of each). */
  activations: { layer: string; shape: number[]; values: Float32Array }[];
  /** The first convolution's filters, [C_out, C_in, kH, kW]. */
  filters: { layer: string; shape: number[]; weights: Float32Array } | null;
}

export type ModelToWorker =
  | { type: 'open'; bytes: ArrayBuffer; name: string }
  | { type: 'image'; bytes: ArrayBuffer; name: string }
  | { type: 'finetune'; classes: string[]; images: { label: number; bytes: ArrayBuffer; name: string }[]; steps: number; lr: number }
  | { type: 'export'; format: 'safetensors' | 'onnx' };

export type ModelFromWorker =
  | { type: 'status'; message: string }
  | { type: 'opened'; model: OpenedModel }
  | { type: 'result'; result: ImageResult }
  | { type: 'finetuned'; step: number; steps: number; loss: number; accuracy: number; classes: string[] }
  | { type: 'exported'; format: 'safetensors' | 'onnx'; bytes: ArrayBuffer; name: string }
  | { type: 'error'; message: string; during: 'open' | 'image' | 'finetune' | 'export' };
