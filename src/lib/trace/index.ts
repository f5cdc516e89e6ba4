export * from './types.ts';
export * from './json.ts';
export * from './tap.ts';
export { summaryText } from './summary.ts';
export * from './batch.ts';
