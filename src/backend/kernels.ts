/**
 * The contract of every kernel: its name, inputs and attributes. The public ops in src/ops validate arguments
 * and compute output shapes; kernels only compute. Every backend implements these names.
 */
import type { DType, TensorInfo } from './backend.js';
import type { Conv2dInfo, Pool2dInfo } from './geometry.js';

type TI = TensorInfo;

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Pointwise functions with a gradient kernel `<name>Backward(x, y, dy)`. */
export const UNARY_OPS = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'rsqrt',
  'abs',
  'sign',
  'sin',
  'cos',
  'relu',
  'relu6',
  'leakyRelu',
  'elu',
  'selu',
  'gelu',
  'geluTanh',
  'sigmoid',
  'tanh',
  'softplus',
  'silu',
  'hardswish',
  'hardsigmoid',
  'clamp',
  'powScalar',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Scalar parameters of the parametrised pointwise functions (alpha of elu, slope of leakyRelu, ...). */
export interface UnaryParams {
  alpha?: number;
  beta?: number;
  threshold?: number;
  min?: number;
  max?: number;
  exponent?: number;
}

export type BinaryKernel = (a: TI, b: TI, outShape: readonly number[]) => TI;
export type UnaryKernel = (x: TI, params: UnaryParams) => TI;
export type UnaryBackwardKernel = (x: TI, y: TI, dy: TI, params: UnaryParams) => TI;

export interface CoreKernels {
  fill(shape: readonly number[], value: number, dtype: DType): TI;
  cast(x: TI, dtype: DType): TI;
  where(cond: TI, a: TI, b: TI, outShape: readonly number[]): TI;

  /** Sum over `dims`; the result has the input's rank with reduced dims of size 1. */
  sum(x: TI, dims: readonly number[]): TI;
  /** Max or min along one dim (size 1 in the result) with the int32 index of the first extremum. */
  argReduce(x: TI, dim: number, mode: 'max' | 'min'): { values: TI; indices: TI };

  transpose(x: TI, perm: readonly number[]): TI;
  broadcastTo(x: TI, shape: readonly number[]): TI;
  concat(xs: readonly TI[], dim: number): TI;
  /** Strided slice: per dim, start and step (>0), result shape given. */
  slice(x: TI, starts: readonly number[], steps: readonly number[], outShape: readonly number[]): TI;
  /** Adjoint of slice: zeros of `shape` with `dy` added at the sliced positions. */
  sliceBackward(dy: TI, shape: readonly number[], starts: readonly number[], steps: readonly number[]): TI;
  /** Gathers along `dim` with an int32 index of the output's shape (torch.gather). */
  gather(x: TI, dim: number, index: TI): TI;
  /** Zeros of `shape` with `src` scatter-added along `dim` at `index` (adjoint of gather). */
  scatterAdd(shape: readonly number[], dim: number, index: TI, src: TI): TI;
  /** Pads each dim by [before, after]; modes as torch.nn.functional.pad. */
  pad(x: TI, pads: readonly (readonly [number, number])[], mode: PadMode, value: number): TI;
  /** Adjoint of pad: folds the padded gradient back onto the input (reflect/replicate accumulate). */
  padBackward(dy: TI, shape: readonly number[], pads: readonly (readonly [number, number])[], mode: PadMode): TI;

  /** Batched product [B,M,K]x[B,K,N] -> [B,M,N]; transA/transB read the stored operand transposed. */
  matmul(a: TI, b: TI, transA: boolean, transB: boolean): TI;

  conv2d(x: TI, w: TI, bias: TI | null, info: Conv2dInfo): TI;
  conv2dBackwardInput(dy: TI, w: TI, info: Conv2dInfo): TI;
  conv2dBackwardWeight(x: TI, dy: TI, info: Conv2dInfo): TI;

  maxPool2d(x: TI, info: Pool2dInfo): { values: TI; indices: TI };
  /** Scatters dy to the flat (per-plane) argmax positions. */
  maxPool2dBackward(dy: TI, indices: TI, inputShape: readonly number[]): TI;
  avgPool2d(x: TI, info: Pool2dInfo): TI;
  avgPool2dBackward(dy: TI, info: Pool2dInfo): TI;
  adaptiveAvgPool2d(x: TI, outH: number, outW: number): TI;
  adaptiveAvgPool2dBackward(dy: TI, inputShape: readonly number[]): TI;
  adaptiveMaxPool2d(x: TI, outH: number, outW: number): { values: TI; indices: TI };

  /**
   * Batch normalization with batch statistics over every dim but 1 ([N, C, *]): y = (x − mean)/√(var + eps)·w + b,
   * with the per-channel mean and biased variance (shape [C]) that the running statistics and the backward use.
   */
  batchNormTrain(x: TI, weight: TI | null, bias: TI | null, eps: number): { y: TI; mean: TI; var: TI };
  /** Gradients of batchNormTrain: dx, and the per-channel dweight = Σ dy·x̂ and dbias = Σ dy. */
  batchNormTrainBackward(x: TI, dy: TI, mean: TI, variance: TI, weight: TI | null, eps: number): { dx: TI; dweight: TI; dbias: TI };

  softmax(x: TI, dim: number): TI;
  softmaxBackward(y: TI, dy: TI, dim: number): TI;
  logSoftmax(x: TI, dim: number): TI;
  logSoftmaxBackward(y: TI, dy: TI, dim: number): TI;
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * Fast optimizer updates a backend may provide, each under its own name and with its own hyperparameters. The
 * reference loop of every optimizer lives in its file in src/optim/ and runs on any backend; these are optional.
 * Inputs are not modified: the result holds the new parameter values and the state tensors to keep.
 */
export interface UpdateKernels {
  sgdUpdate(param: TI, grad: TI, state: Readonly<{ momentum_buffer?: TI }>, hyper: SgdHyper): UpdateResult<'momentum_buffer'>;
  adamUpdate(
    param: TI,
    grad: TI,
    state: Readonly<{ exp_avg?: TI; exp_avg_sq?: TI; max_exp_avg_sq?: TI }>,
    hyper: AdamHyper,
  ): UpdateResult<'exp_avg' | 'exp_avg_sq' | 'max_exp_avg_sq'>;
  rmspropUpdate(
    param: TI,
    grad: TI,
    state: Readonly<{ square_avg?: TI; grad_avg?: TI; momentum_buffer?: TI }>,
    hyper: RmspropHyper,
  ): UpdateResult<'square_avg' | 'grad_avg' | 'momentum_buffer'>;
  adagradUpdate(param: TI, grad: TI, state: Readonly<{ sum?: TI }>, hyper: AdagradHyper): UpdateResult<'sum'>;
  adadeltaUpdate(param: TI, grad: TI, state: Readonly<{ square_avg?: TI; acc_delta?: TI }>, hyper: AdadeltaHyper): UpdateResult<'square_avg' | 'acc_delta'>;
}
export type UpdateKernelName = keyof UpdateKernels;

/**
 * Fused inference kernels a backend may provide; without one, the op composes the kernels it fuses (the definition).
 * Not differentiable: used only where no gradient is recorded.
 */
export interface FusedKernels {
  /**
   * act(conv2d(x, w, bias) + residual), residual of the output's shape or null, in the conv's output pass; null
   * where the backend declines the case (the op then composes).
   */
  conv2dFused(x: TI, w: TI, bias: TI | null, info: Conv2dInfo, residual: TI | null, act: 'relu' | null): TI | null;
  /** Per-row softmax cross-entropy of x [N, C] with int32 targets [N]: the losses [N] (0 where ignored) and log_softmax(x). */
  crossEntropyFused(x: TI, target: TI, ignoreIndex: number): { loss: TI; logp: TI } | null;
  /** Its gradient for upstream dloss [N]: dloss·(softmax − onehot), zero rows where ignored. */
  crossEntropyFusedBackward(logp: TI, target: TI, dloss: TI, ignoreIndex: number): TI | null;
  /** relu?(batchNormTrain(x) + residual), residual of x's shape or null; the batch mean and biased variance too. */
  batchNormTrainAct(x: TI, weight: TI | null, bias: TI | null, residual: TI | null, eps: number, relu: boolean): { y: TI; mean: TI; var: TI } | null;
  /**
   * Its gradients: y is the forward's output when it ended in ReLU (null: no ReLU), whose mask dy passes through
   * first; dres (that masked dy, the residual's gradient) when wantResidual.
   */
  batchNormTrainActBackward(
    x: TI,
    y: TI | null,
    dy: TI,
    mean: TI,
    variance: TI,
    weight: TI | null,
    eps: number,
    wantResidual: boolean,
  ): { dx: TI; dweight: TI; dbias: TI; dres: TI | null } | null;
}
export type FusedKernelName = keyof FusedKernels;
export interface UpdateResult<K extends string> {
  param: TI;
  state: Partial<Record<K, TI>>;
}

/** torch.optim.SGD's scalars. */
export interface SgdHyper {
  lr: number;
  weightDecay: number;
  maximize: boolean;
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

/** torch.optim.Adam's and AdamW's scalars; step counts from 1 (after incrementing). */
export interface AdamHyper {
  lr: number;
  weightDecay: number;
  maximize: boolean;
  beta1: number;
  beta2: number;
  eps: number;
  amsgrad: boolean;
  /** AdamW: weight decay applied to the parameter, not added to the gradient. */
  decoupled: boolean;
  step: number;
}

/** torch.optim.RMSprop's scalars. */
export interface RmspropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** torch.optim.Adagrad's scalars; step counts from 1. */
export interface AdagradHyper {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
  step: number;
}

/** torch.optim.Adadelta's scalars. */
export interface AdadeltaHyper {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export type Kernels = CoreKernels &
  UpdateKernels &
  FusedKernels & { [K in BinaryOp]: BinaryKernel } & { [K in UnaryOp]: UnaryKernel } & {
    [K in UnaryOp as `${K}Backward`]: UnaryBackwardKernel;
  };

export type KernelName = keyof Kernels;

/** Result dtype of a binary op: int32 stays int32 for add/sub/mul/maximum/minimum; everything else is float32. */
export function binaryResultDType(op: BinaryOp, a: DType, b: DType): DType {
  const intOps: readonly BinaryOp[] = ['add', 'sub', 'mul', 'maximum', 'minimum'];
  return a === 'int32' && b === 'int32' && intOps.includes(op) ? 'int32' : 'float32';
}
