/**
 * Analysis: the lectures' per-layer table (summary), receptive fields, Conv/Linear + BatchNorm fusion.
 * Example: console.log(analysis.formatSummary(analysis.summary(models.create('alexnet'), [3, 227, 227])));
 */
export { summary, formatSummary, summaryJson, type Summary, type LayerRow, type SummaryOptions } from './summary.js';
export { fuseConvBn } from './fuse.js';
export { receptiveFieldOf, receptiveFields, type RFLayer } from './receptive.js';
export { activationStats, tensorStats, type LayerStats, type TensorStats, type Histogram, type ActivationStatsOptions } from './stats.js';
export { compareModels, comparisonTable, comparisonFigure, type ModelComparison } from './compare.js';
