/** The batch-file connector (docs/connectors/batch-files.md). */
export {
  createBatchConnector, type BatchConnector, type BatchConnectorDeps, type ScanReport,
} from './createBatchConnector.js';
export {
  batchConnectorConfigSchema, parseBatchConnectorConfig, resolveDirectories,
  type BatchConnectorConfig, type BatchConnectorConfigInput, type BatchDirectories,
} from './config.js';
export type { FileReport } from './inboundFile.js';
export type { ReportRow } from './fileRun.js';
export type { Acknowledgement, SentRecord } from './sentLedger.js';
export { readCsv, writeCsv, headerIndex, type CsvReadResult, type CsvRecord } from './csv.js';
export { CSV_KINDS, translateCsv, type CsvKind, type CsvMessage, type CsvTranslation, type RowError } from './csvInbound.js';
export { CANCEL_COLUMNS, RELEASE_COLUMNS, cancelToCsv, releaseToCsv } from './csvOutbound.js';
export { BATCH_MESSAGE_TYPES, outboundFileName, renderOutbound, type OutboundFile } from './outboundFiles.js';
