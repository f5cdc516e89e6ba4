export * from './types';
export * from './json';
export * from './tap';
