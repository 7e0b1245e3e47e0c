import type { Kernels } from '../../kernels.js';
import type { Conv2dInfo } from '../../geometry.js';
import type { TaskArgs } from '../generated/interface.js';

/** Depthwise convolutions (groups = in_channels) get their own kernels, not im2col. */
export function isDepthwiseInfo(c: Conv2dInfo): boolean {
  return c.groups > 1 && c.groups === c.inChannels && c.outChannels % c.inChannels === 0;
}

/**
 * A family's fast kernels, by kernel name: each returns its result, or null to leave the call to the js kernel (a
 * dtype or rank it does not handle). wasm/index.ts collects every family's table.
 */
export type FastKernels = { [K in keyof Kernels]?: (...args: Parameters<Kernels[K]>) => ReturnType<Kernels[K]> | null };

type GeoField = 'batch' | 'inC' | 'inH' | 'inW' | 'outC' | 'kH' | 'kW' | 'sH' | 'sW' | 'pT' | 'pL' | 'dH' | 'dW' | 'groups' | 'outH' | 'outW';

/** The 'geo' argument block of the conv tasks (interface.json): im2col, depthwise, Winograd and direct alike. */
export function geometry(c: Conv2dInfo): Pick<TaskArgs['convForward'], GeoField> {
  return {
    batch: c.batch,
    inC: c.inChannels,
    inH: c.inH,
    inW: c.inW,
    outC: c.outChannels,
    kH: c.kH,
    kW: c.kW,
    sH: c.strideH,
    sW: c.strideW,
    pT: c.padTop,
    pL: c.padLeft,
    dH: c.dilationH,
    dW: c.dilationW,
    groups: c.groups,
    outH: c.outH,
    outW: c.outW,
  };
}

/** Stride 1, dilation 1, one group, non-negative padding and a non-empty output: what Winograd and direct kernels take. */
export function isPlainStride1(c: Conv2dInfo): boolean {
  return (
    c.strideH === 1 &&
    c.strideW === 1 &&
    c.dilationH === 1 &&
    c.dilationW === 1 &&
    c.groups === 1 &&
    c.padTop >= 0 &&
    c.padLeft >= 0 &&
    c.outH > 0 &&
    c.outW > 0
  );
}
