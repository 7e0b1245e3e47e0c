import type { Conv2dInfo } from '../../geometry.js';

/** Depthwise convolutions (groups = in_channels) get their own kernels, not im2col. */
export function isDepthwiseInfo(c: Conv2dInfo): boolean {
  return c.groups > 1 && c.groups === c.inChannels && c.outChannels % c.inChannels === 0;
}
