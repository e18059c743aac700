// Kept for pages that imported the repository's source: the package entry is ./elements.js.
export * from './elements.js';
