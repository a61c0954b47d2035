export * from './freshness.js';
export * from './position.js';
export * from './safetyStock.js';
export * from './sellable.js';
