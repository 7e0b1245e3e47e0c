/** Every figure the library, the CLI and the experiments draw: Vega-Lite specs built here, rendered to SVG by `renderSvg`. */
export {
  barChart,
  column,
  figure,
  histogram,
  imageGrid,
  lineChart,
  PALETTE,
  row,
  scatter,
  type Axis,
  type ChartSpec,
  type Series,
  type ViewSpec,
} from './spec.js';
export { renderSvg } from './render.js';
export { trainingCurves, type CurvePoint } from './training.js';
export { encodePng, pngDataUrl } from './png.js';
