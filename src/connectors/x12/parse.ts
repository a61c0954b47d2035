import { DEFAULT_MAPPING_POLICY, DOCUMENT_MAPPERS, type MappingPolicy, type X12Document } from './documents/index.js';
import { isoDateFromShortYear } from './dates.js';
import { buildInterchange, type EnvelopeContext, type ReadSegment } from './envelope.js';
import { createIssueSink, type IssueSink } from './issues.js';
import { ISA_FIXED_WIDTH, isGap, isIsaStart, isSegmentStart, readHeadless, readIsa, type IsaHeader } from './separators.js';
import { tokenize, type Token } from './tokenize.js';
import type { Segment, X12InterchangeDetail, X12ParseDetail, X12ParseResult } from './types.js';

export interface ParseOptions {
  /** Strict mode reports envelope and syntax defects as errors; lenient (default) as warnings. */
  readonly strict?: boolean;
  readonly policy?: Partial<MappingPolicy>;
}

/**
 * Parses X12 text that may hold several interchanges (each with its own delimiters), bare
 * GS/ST content, a BOM, CRLF, indentation and trailing junk. Never throws: whatever cannot be
 * read is reported in `errors`, and everything else is returned.
 */
export function parseX12(text: string, options: ParseOptions = {}): X12ParseResult {
  const detail = parseX12Detail(text, options);
  return {
    interchanges: detail.interchanges.map((x) => ({
      controlNumber: x.controlNumber,
      ...(x.sender !== undefined ? { sender: x.sender } : {}),
      ...(x.receiver !== undefined ? { receiver: x.receiver } : {}),
      ...(x.date !== undefined ? { date: x.date } : {}),
      groups: x.groups.map((g) => ({ controlNumber: g.controlNumber, functionalId: g.functionalId, transactions: g.transactions })),
    })),
    errors: detail.errors,
  };
}

/** As parseX12, keeping the raw ISA/GS/GE/IEA segments and separators of each interchange. */
export function parseX12Detail(input: string, options: ParseOptions = {}): X12ParseDetail {
  const sink = createIssueSink(options.strict ? 'strict' : 'lenient');
  const policy: MappingPolicy = { ...DEFAULT_MAPPING_POLICY, ...options.policy };
  const ctx: EnvelopeContext = { sink, describe: (segments, first) => describe(segments, first, sink, policy) };
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const interchanges: X12InterchangeDetail[] = [];
  const seenIsa13 = new Set<string>();
  let ordinal = 0;
  const withOrdinals = (tokens: readonly Token[]): ReadSegment[] => tokens.map((t) => ({ ...t, ordinal: ++ordinal }));

  let pos = skipGaps(text, 0);
  while (pos < text.length) {
    if (isIsaStart(text, pos)) {
      const reading = readIsa(text, pos);
      if (!reading.ok) {
        sink.report('fatal', `${reading.message}; interchange skipped`, ++ordinal);
        pos = skipJunk(text, pos + 3, undefined, false);
        continue;
      }
      const { header } = reading;
      const isa: ReadSegment = { elements: header.elements, ordinal: ++ordinal, ambiguous: false };
      checkIsa(sink, header, isa.ordinal, seenIsa13);
      const run = tokenize(text, header.bodyStart, header.separators);
      interchanges.push(buildInterchange(ctx, isa, withOrdinals(run.tokens), header.separators));
      pos = skipGaps(text, run.end);
    } else if (isSegmentStart(text, pos, text[pos + 2] ?? '') && /^(GS|ST)$/.test(text.slice(pos, pos + 2))) {
      const reading = readHeadless(text, pos);
      if (!reading.ok) {
        pos = skipJunk(text, pos, sink, interchanges.length > 0);
        continue;
      }
      const run = tokenize(text, pos, reading.separators);
      interchanges.push(buildInterchange(ctx, undefined, withOrdinals(run.tokens), reading.separators));
      pos = skipGaps(text, run.end);
    } else {
      pos = skipJunk(text, pos, sink, interchanges.length > 0);
    }
  }
  if (interchanges.length === 0) sink.report('fatal', 'no X12 content found: expected an ISA segment');
  return { interchanges, errors: sink.errors };
}

function checkIsa(sink: IssueSink, header: IsaHeader, at: number, seen: Set<string>): void {
  const isa13 = header.elements[13] ?? '';
  if (header.missingIsa16) {
    sink.report('integrity', `ISA16 (component separator) is missing; assumed '>' and took '${printable(header.separators.segment)}' as the segment terminator`, at);
  } else if (header.width !== ISA_FIXED_WIDTH) {
    sink.report('notice', `ISA is ${header.width} characters long, not the fixed ${ISA_FIXED_WIDTH}`, at);
  }
  if (!/^\d{9}$/.test(isa13)) sink.report('integrity', `ISA13 '${isa13}' is not a 9-digit control number`, at);
  const isa09 = header.elements[9] ?? '';
  if (isoDateFromShortYear(isa09) === undefined) sink.report('notice', `ISA09 '${isa09}' is not a YYMMDD date`, at);
  if (seen.has(isa13)) sink.report('integrity', `duplicate interchange control number ISA13 ${isa13}`, at);
  seen.add(isa13);
}

const printable = (c: string): string => (c === '\n' ? '\\n' : c);

function skipGaps(text: string, from: number): number {
  let i = from;
  while (i < text.length && isGap(text[i])) i++;
  return i;
}

/** Skips text that is not X12 up to the next ISA, reporting what was dropped. */
function skipJunk(text: string, from: number, sink: IssueSink | undefined, afterContent: boolean): number {
  let next = from;
  while (next < text.length && !isIsaStart(text, next)) next++;
  const junk = text.slice(from, next).trim();
  if (junk !== '' && sink) {
    const sample = JSON.stringify(junk.length > 24 ? `${junk.slice(0, 24)}…` : junk);
    const where = afterContent ? 'after an interchange' : 'before any interchange';
    sink.report('integrity', `ignored ${junk.length} characters of non-X12 data ${where}: ${sample}`);
  }
  return skipGaps(text, next);
}

function describe(segments: readonly Segment[], first: number, sink: IssueSink, policy: MappingPolicy): X12Document | undefined {
  const st = segments[0] ?? [];
  const [type = '', control = ''] = [st[1], st[2]];
  const mapper = DOCUMENT_MAPPERS[type];
  if (!mapper) {
    sink.report('notice', `${type} ${control}: no canonical mapping for transaction set ${type}`, first);
    return undefined;
  }
  try {
    const { document, notes } = mapper(segments, policy);
    for (const n of notes) sink.report('notice', `${type} ${control}: ${n.message}`, n.index === undefined ? undefined : first + n.index);
    return document;
  } catch (e) {
    sink.report('fatal', `${type} ${control}: mapping failed: ${e instanceof Error ? e.message : String(e)}`, first);
    return undefined;
  }
}
