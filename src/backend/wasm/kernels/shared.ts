import type { Kernels } from '../../kernels.js';
import type { Conv2dInfo } from '../../geometry.js';

/** Depthwise convolutions (groups = in_channels) get their own kernels, not im2col. */
export function isDepthwiseInfo(c: Conv2dInfo): boolean {
  return c.groups > 1 && c.groups === c.inChannels && c.outChannels % c.inChannels === 0;
}

/**
 * A family's fast kernels, by kernel name: each returns its result, or null to leave the call to the js kernel (a
 * dtype or rank it does not handle). wasm/index.ts collects every family's table.
 */
export type FastKernels = { [K in keyof Kernels]?: (...args: Parameters<Kernels[K]>) => ReturnType<Kernels[K]> | null };
