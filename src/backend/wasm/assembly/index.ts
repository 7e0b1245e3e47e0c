// The kernel module: every parallel kernel is a task `fn(args, part, thread)`; runTask dispatches by id so the
// worker loop (in JS) stays one line. Task ids are mirrored in ../tasks.ts.
import { matmulPart } from './matmul';
import { convBackwardInputPart, convBackwardWeightPart, convForwardPart, sumBlocksPart } from './conv';
export { GEMM_SCRATCH_BYTES } from './gemm';

export function runTask(task: i32, args: usize, part: i32, thread: i32): void {
  switch (task) {
    case 1: matmulPart(args, part, thread); break;
    case 2: convForwardPart(args, part, thread); break;
    case 3: convBackwardInputPart(args, part, thread); break;
    case 4: convBackwardWeightPart(args, part, thread); break;
    case 5: sumBlocksPart(args, part, thread); break;
    default: unreachable();
  }
}
