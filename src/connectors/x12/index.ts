/** X12 EDI connector: parse (lenient/strict), canonical documents, 940 and 997 serializers. */
export * from './types.js';
export * from './documents/index.js';
export { SEVERITY, type IssueKind, type ParseMode } from './issues.js';
export { FUNCTIONAL_ID } from './envelope.js';
export { parseX12, parseX12Detail, type ParseOptions } from './parse.js';
export {
  X12SerializeError, checkSeparators, serializeInterchange, serializeParsed, serializeSegments,
  type GroupSpec, type InterchangeParty, type InterchangeSpec, type TransactionSpec,
} from './serialize.js';
export { build940Segments, serialize940, type Serialize940Options } from './serialize940.js';
export { AK5_CODES, AK9_CODES, acknowledgeGroup, serialize997, type AcknowledgeOptions, type Serialize997Options } from './ack997.js';
