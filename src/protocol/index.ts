export * from './constants.js';
export * from './errors.js';
export * from './reader.js';
export * from './writer.js';
export * from './field-table.js';
export * from './content-header.js';
export * from './methods.generated.js';
export * from './frame-parser.js';
