/** Neural-network building blocks. This release has the functional API; Module and layers arrive with the nn issue. */
export * as functional from './functional.js';
