/** Architecture search over the NASNet cell space (`convnet search`), as functions. */
export {
  architectureSearch,
  QUICK_SEARCH,
  DEFAULT_SEARCH,
  type SearchOptions,
  type SearchResult,
  type SearchSettings,
  type Candidate,
  type SearchStrategy,
} from './search.js';
export { randomGenotype, mutateGenotype, genotypeKey, describeCell, stateName, DEFAULT_SPACE, type Mutation, type SpaceOptions } from './space.js';
export { cellDiagram } from './diagram.js';
export { searchFigure, searchTable, searchDefinition, writeSearchReport } from './report.js';
