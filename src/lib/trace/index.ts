export * from './types';
export * from './json';
export { bytesToBase64, base64ToBytes } from './base64';
export * from './tap';
