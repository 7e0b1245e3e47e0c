// The kernel module: every parallel kernel is a task `fn(args, part, thread)`; runTask dispatches by id so the
// worker loop (in JS) stays one line. The tasks and their ids are declared once, in ../interface.json, from which
// scripts/build_wasm.mjs generates the dispatch (tasks.generated.ts) and the JS side's ids.
export { runTask } from './tasks.generated';
export { GEMM_SCRATCH_BYTES } from './gemm';
