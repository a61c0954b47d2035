/** Per-connector mapping tables (docs/connectors/mapping-tables.md): native codes → canonical. */
export {
  FULFILLMENT_STATUSES, QUANTITY_KINDS, TABLE_NAMES, mappingTablesSchema, parseMappingTables, parseMappingText,
  type FulfillmentStatus, type MappingTables, type MappingTablesInput, type QuantityKind, type TableName, type UnitConversion,
} from './tables.js';
export { createMapper, wholeNumber, type Lookup, type Mapper, type TableValue } from './createMapper.js';
export {
  checked, createProblems, problem, unknownCodeProblem,
  type Checked, type ProblemDraft, type ProblemKind, type Problems, type TranslationProblem, type UnknownCode,
} from './problems.js';
export { readMappingFile } from './readMappingFile.js';
