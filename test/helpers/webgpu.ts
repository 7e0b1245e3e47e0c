/**
 * Starts the webgpu backend in Node for the tests: the `webgpu` package's Dawn, on a real GPU where Vulkan has one,
 * else on SwiftShader — the CPU Vulkan driver Debian's Chromium ships (/usr/lib/chromium), which CI installs.
 * Resolves to null when it started, or to the reason it cannot (the suite is then skipped, saying why).
 */
import { existsSync } from 'node:fs';
import * as ct from '../../src/index.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let started: Promise<string | null> | null = null;

export function startWebGpu(): Promise<string | null> {
  started ??= (async () => {
    // The Vulkan loader reads this when Dawn creates its instance; a GPU the user configured is left alone.
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    let create: (flags: string[]) => GPU;
    try {
      ({ create } = (await import('webgpu')) as unknown as { create: (flags: string[]) => GPU });
    } catch (e) {
      return `the 'webgpu' package does not load here: ${(e as Error).message}`;
    }
    ct.useWebGpu(create([]));
    const before = ct.getBackend();
    try {
      await ct.initBackend('webgpu');
    } catch (e) {
      // Dawn finds SwiftShader through the Vulkan loader; without libvulkan1 it sees no adapter at all.
      const hint = existsSync(SWIFTSHADER_ICD) ? ' (is the Vulkan loader, libvulkan1, installed?)' : '';
      return (e as Error).message + hint;
    } finally {
      ct.setBackend(before);
    }
    return null;
  })();
  return started;
}
