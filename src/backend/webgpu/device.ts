/// <reference types="@webgpu/types" preserve="true" />
/**
 * Finding a WebGPU device: `navigator.gpu` in browsers, or a GPU object handed over with `useWebGpu` (Node, where
 * the `webgpu` npm package provides one). Asks for the adapter's own limits, since the defaults (128 MiB per storage
 * binding, 8 storage buffers per shader) are lower than what ResNets and the optimizers' kernels need.
 */

let provided: GPU | null = null;

/**
 * Makes `gpu` the WebGPU entry point the `webgpu` backend uses (default: `navigator.gpu`). For Node:
 * Example: `import { create, globals } from 'webgpu'; useWebGpu(create([]))`
 */
export function useWebGpu(gpu: GPU): void {
  provided = gpu;
}

/** The GPU entry point, or null with the reason. */
export function gpuEntry(): { gpu: GPU | null; reason: string } {
  if (provided) return { gpu: provided, reason: '' };
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, reason: '' };
  return {
    gpu: null,
    reason:
      typeof window === 'undefined' && typeof (globalThis as { process?: unknown }).process !== 'undefined'
        ? "Node has no navigator.gpu: install the 'webgpu' package and call useWebGpu(create([])) before initBackend('webgpu')"
        : 'this browser has no navigator.gpu (WebGPU needs Chrome/Edge 113+, Safari 26+ or Firefox 141+, and a secure context)',
  };
}

/** Limits worth raising when the adapter allows it. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

export interface AcquiredDevice {
  device: GPUDevice;
  adapterName: string;
}

/** Requests an adapter and a device with the adapter's larger limits; throws saying why when there is none. */
export async function acquireDevice(powerPreference: GPUPowerPreference = 'high-performance'): Promise<AcquiredDevice> {
  const { gpu, reason } = gpuEntry();
  if (!gpu) throw new Error(`webgpu backend: no WebGPU here: ${reason}`);
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) {
    throw new Error(
      'webgpu backend: requestAdapter() returned null: this machine offers no WebGPU adapter (in Chromium without a GPU, start it with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader)',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[k];
    if (typeof v === 'number') requiredLimits[k] = v;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  // adapter.info (Chrome 127+, Dawn); older engines had requestAdapterInfo() instead.
  const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string; description?: string } }).info;
  const adapterName = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter' : 'unknown adapter';
  return { device, adapterName };
}
