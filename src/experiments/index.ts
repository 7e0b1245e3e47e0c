/**
 * The lectures' experiments, as functions (the CLI runs them as `convnet experiment NAME`). Course material, kept out
 * of the library core: nothing in src/ imports this folder except the CLI. Published as `convnet-ts/experiments`.
 * Example: import { initExperiment, initExperimentFigure } from 'convnet-ts/experiments';
 */
export { initExperiment, initExperimentTable, initExperimentFigure, INITS, type InitExperimentRow, type InitName } from './init.js';
export {
  finetuneExperiment,
  finetuneTable,
  finetuneFigure,
  type FinetuneExperimentOptions,
  type FinetuneExperimentResult,
  type FinetuneRun,
} from './finetune.js';
