export * from './types';
export * from './json';
export * from './tap';
export { summaryText } from './summary.ts';
