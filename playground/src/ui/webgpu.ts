/** Whether this browser can run the webgpu backend: navigator.gpu exists and gives an adapter (asked once). */
let answer: Promise<boolean> | null = null;

export function webgpuAvailable(): Promise<boolean> {
  answer ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return false;
    try {
      return (await gpu.requestAdapter()) !== null;
    } catch {
      return false;
    }
  })();
  return answer;
}
