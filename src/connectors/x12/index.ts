/** X12 EDI connector: parse (lenient/strict), canonical documents, 940 and 997 serializers, translation to and from canonical messages. */
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
export {
  chooseItemId, mergeLines, settle, timestamp,
  type DocumentTranslation, type TranslatedMessage, type X12InboundOptions,
} from './translation.js';
export { translate945 } from './translate945.js';
export { translate856 } from './translate856.js';
export { translate846 } from './translate846.js';
export { translate850 } from './translate850.js';
export { ACKNOWLEDGEMENT_SETS, translateX12, type TransactionTranslation } from './translateX12.js';
export {
  DEFAULT_SEPARATORS, cancelToShippingOrder, controlNumbers, releaseToShippingOrder, render940, x12DateTime, type X12OutboundOptions,
} from './render940.js';
export { acknowledgeGroups, type Acknowledge997Options, type Rendered997 } from './render997.js';
export { isAccepted, read997, type FunctionalAck } from './read997.js';
