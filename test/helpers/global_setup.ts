/** Rebuilds the wasm kernels when their AssemblyScript sources changed (a no-op otherwise), before any test. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build_wasm.mjs'], { stdio: 'inherit' });
}
