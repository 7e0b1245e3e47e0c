/** Renders chart specs to SVG off the page's thread (Vega's compile and render can take tens of ms). */
import { renderSvg } from '../../../src/chart/render.js';
import type { ChartSpec } from '../../../src/chart/spec.js';

self.onmessage = async (e: MessageEvent<{ id: number; spec: ChartSpec }>) => {
  const { id, spec } = e.data;
  try {
    (self as unknown as Worker).postMessage({ id, svg: await renderSvg(spec) });
  } catch (err) {
    (self as unknown as Worker).postMessage({ id, error: (err as Error).message });
  }
};
