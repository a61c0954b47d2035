import pino from 'pino';
import type { Logger } from 'pino';

/**
 * Structured logs with PII redacted: names, emails, phones and addresses never reach a log line.
 * Request bodies are never logged; the redaction list is a second net for anything that is.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.email', '*.phone', '*.name', '*.line1', '*.line2', '*.postalCode', '*.lat', '*.lon',
  '*.shipTo', '*.customer', '*.billTo', '*.address',
  'body', 'req.body', 'payload',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const opts: pino.LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'orderly' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
