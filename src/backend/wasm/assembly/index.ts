// The kernel module: every parallel kernel is a task `fn(args, part, thread)`; runTask dispatches by id so the
// worker loop (in JS) stays one line. Task ids are mirrored in ../context.ts (TASK).
import { matmulPart } from './matmul';
import { convBackwardInputPart, convBackwardWeightPart, convForwardPart, flipWeightsPart, sumBlocksPart } from './conv';
import { binaryPart, fillPart, unaryBackwardPart, unaryPart } from './elementwise';
import { sumPart } from './reduce';
import { avgPoolBackwardPart, avgPoolPart, maxPoolBackwardPart, maxPoolPart } from './pool';
import { adamPart, sgdPart } from './optim';
import { batchNormBackwardPart, batchNormForwardPart } from './norm';
import { softmaxBackwardPart, softmaxPart } from './softmax';
import { depthwiseBackwardInputPart, depthwiseBackwardWeightPart, depthwiseForwardPart } from './depthwise';
export { GEMM_SCRATCH_BYTES } from './gemm';

export function runTask(task: i32, args: usize, part: i32, thread: i32): void {
  switch (task) {
    case 1: matmulPart(args, part, thread); break;
    case 2: convForwardPart(args, part, thread); break;
    case 3: convBackwardInputPart(args, part, thread); break;
    case 4: convBackwardWeightPart(args, part, thread); break;
    case 5: sumBlocksPart(args, part, thread); break;
    case 6: binaryPart(args, part, thread); break;
    case 7: unaryPart(args, part, thread); break;
    case 8: unaryBackwardPart(args, part, thread); break;
    case 9: fillPart(args, part, thread); break;
    case 10: sumPart(args, part, thread); break;
    case 11: maxPoolPart(args, part, thread); break;
    case 12: maxPoolBackwardPart(args, part, thread); break;
    case 13: avgPoolPart(args, part, thread); break;
    case 14: avgPoolBackwardPart(args, part, thread); break;
    case 15: sgdPart(args, part, thread); break;
    case 16: adamPart(args, part, thread); break;
    case 17: depthwiseForwardPart(args, part, thread); break;
    case 18: depthwiseBackwardInputPart(args, part, thread); break;
    case 19: depthwiseBackwardWeightPart(args, part, thread); break;
    case 20: batchNormForwardPart(args, part, thread); break;
    case 21: batchNormBackwardPart(args, part, thread); break;
    case 22: flipWeightsPart(args, part, thread); break;
    case 23: softmaxPart(args, part, thread); break;
    case 24: softmaxBackwardPart(args, part, thread); break;
    default: unreachable();
  }
}
