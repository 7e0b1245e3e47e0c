/**
 * Renders a figure to a self-contained SVG string, in Node and in browsers. Vega and Vega-Lite are loaded on the first
 * call, so code that never draws (a browser bundle that only trains) does not pay for them.
 */
import type { ChartSpec } from './spec.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let libs: Promise<[Vega, VegaLite]> | null = null;

/**
 * Args: spec — a Vega-Lite spec (from `figure`, or any of your own).
 * Returns: the SVG document as text.
 * Example: await writeFile('curves.svg', await renderSvg(figure(lineChart({...}), 'loss')))
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vl] = await libs;
  // Vega's warnings (e.g. an empty scale domain) would go to the console; a figure with no data still renders.
  const view = new vega.View(vega.parse(vl.compile(spec, { logger: vega.logger(vega.Error) }).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
