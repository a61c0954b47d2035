import { x12Date } from './dates.js';
import { CANONICAL_COMPONENT, CANONICAL_REPETITION, type Segment, type Separators } from './segment.js';
import type { X12ParseDetail } from './types.js';

/** Thrown when separators collide with each other or with the data: X12 has no escaping. */
export class X12SerializeError extends Error {
  override readonly name = 'X12SerializeError';
}

const fail = (message: string): never => {
  throw new X12SerializeError(message);
};

const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

/** The terminator character of a `segment` like `~`, `~\n` or `\r\n` (undefined: line breaks only). */
const terminatorChar = (segment: string): string | undefined => (segment[0] === '\r' || segment[0] === '\n' ? undefined : segment[0]);

/** Rejects separator sets a reader could not split unambiguously. */
export function checkSeparators(seps: Separators): void {
  const { element, segment, component, repetition } = seps;
  if (!/^(?:[^\sA-Za-z0-9](?:\r?\n)?|\r?\n)$/.test(segment)) {
    fail(`segment terminator ${JSON.stringify(segment)} must be one non-alphanumeric character, optionally followed by a line break, or a line break`);
  }
  const chars = [element, component, ...(repetition === undefined ? [] : [repetition])];
  for (const c of chars) {
    if (c.length !== 1 || /[\sA-Za-z0-9]/.test(c)) fail(`separator ${JSON.stringify(c)} must be one non-alphanumeric, non-space character`);
  }
  const all = [...chars, terminatorChar(segment) ?? '\n'];
  if (new Set(all).size !== all.length) fail(`separators must differ: ${JSON.stringify(all)}`);
}

/** Turns canonical components/repetitions into the chosen ones; refuses data holding a separator. */
function encodeElement(value: string, seps: Separators, where: string): string {
  const { component, repetition } = seps;
  if (component !== CANONICAL_COMPONENT && value.includes(component)) fail(`${where} contains the component separator ${component}`);
  if (repetition !== undefined && repetition !== CANONICAL_REPETITION && value.includes(repetition)) {
    fail(`${where} contains the repetition separator ${repetition}`);
  }
  let out = '';
  // One pass per character, so a component written as '^' is not then taken for a repetition.
  for (const ch of value) {
    out += ch === CANONICAL_COMPONENT ? component : ch === CANONICAL_REPETITION && repetition !== undefined ? repetition : ch;
  }
  checkPlain(out, seps, where);
  return out;
}

function checkPlain(value: string, seps: Separators, where: string): void {
  const t = terminatorChar(seps.segment);
  if (value.includes(seps.element)) fail(`${where} contains the element separator ${seps.element}`);
  if (t !== undefined && value.includes(t)) fail(`${where} contains the segment terminator ${t}`);
  if (/[\r\n]/.test(value)) fail(`${where} contains a line break`);
}

/** Writes segments with the given separators; trailing empty elements are dropped. */
export function serializeSegments(segments: readonly Segment[], seps: Separators): string {
  checkSeparators(seps);
  return segments.map((s) => writeSegment(s, seps)).join('');
}

function writeSegment(s: Segment, seps: Separators): string {
  const [id = '', ...elements] = s;
  if (!SEGMENT_ID.test(id)) fail(`'${id}' is not a valid segment id`);
  while (elements.length > 0 && elements[elements.length - 1] === '') elements.pop();
  const encoded = elements.map((v, n) => encodeElement(v, seps, `${id}${String(n + 1).padStart(2, '0')}`));
  return [id, ...encoded].join(seps.element) + seps.segment;
}

/** ISA elements are fixed-width and written raw: ISA11 and ISA16 are separators themselves. */
function writeIsa(isa: readonly string[], seps: Separators): string {
  if (isa.length !== 16) fail(`ISA needs 16 elements, got ${isa.length}`);
  isa.slice(0, 10).forEach((v, n) => checkPlain(v, seps, `ISA${String(n + 1).padStart(2, '0')}`));
  isa.slice(11, 15).forEach((v, n) => checkPlain(v, seps, `ISA${n + 12}`));
  return ['ISA', ...isa].join(seps.element) + seps.segment;
}

export interface InterchangeParty {
  /** ISA05/07 qualifier: `01` DUNS, `08` UCC, `12` phone, `14` DUNS+suffix, `ZZ` mutually defined. */
  readonly qualifier: string;
  readonly id: string;
}

export interface TransactionSpec {
  readonly type: string;
  readonly controlNumber: string;
  /** The segments between ST and SE. */
  readonly body: readonly Segment[];
}

export interface GroupSpec {
  readonly functionalId: string;
  readonly sender: string;
  readonly receiver: string;
  readonly controlNumber: number;
  /** GS08, default ISA12 followed by `0` (`00401` → `004010`). */
  readonly version?: string;
  readonly transactions: readonly TransactionSpec[];
}

/** Everything an interchange needs; the clock travels in `date`/`time` so output is deterministic. */
export interface InterchangeSpec {
  readonly sender: InterchangeParty;
  readonly receiver: InterchangeParty;
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** `HHMM`. */
  readonly time: string;
  readonly controlNumber: number;
  /** ISA12, default `00401`. */
  readonly version?: string;
  readonly usage?: 'P' | 'T';
  readonly acknowledgmentRequested?: boolean;
  readonly groups: readonly GroupSpec[];
}

const controlNumber = (n: number, what: string): string =>
  Number.isInteger(n) && n >= 1 && n <= 999_999_999 ? String(n).padStart(9, '0') : fail(`${what} must be an integer from 1 to 999999999`);

const padded = (v: string, width: number, what: string): string =>
  v.length <= width ? v.padEnd(width, ' ') : fail(`${what} '${v}' is longer than ${width} characters`);

/** Builds the ISA/GS/ST…SE/GE/IEA text; SE01, GE01 and IEA01 are counted, never taken from input. */
export function serializeInterchange(spec: InterchangeSpec, seps: Separators): string {
  checkSeparators(seps);
  const version = spec.version ?? '00401';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(spec.date)) fail(`date '${spec.date}' must be YYYY-MM-DD`);
  if (!/^\d{4}$/.test(spec.time)) fail(`time '${spec.time}' must be HHMM`);
  if (seps.repetition !== undefined && version < '00402') fail(`a repetition separator needs ISA12 00402 or later, not ${version}`);
  const isa13 = controlNumber(spec.controlNumber, 'interchange control number');
  const isa = [
    '00', ' '.repeat(10), '00', ' '.repeat(10),
    padded(spec.sender.qualifier, 2, 'ISA05'), padded(spec.sender.id, 15, 'ISA06'),
    padded(spec.receiver.qualifier, 2, 'ISA07'), padded(spec.receiver.id, 15, 'ISA08'),
    x12Date(spec.date).slice(2), spec.time, seps.repetition ?? 'U', version, isa13,
    spec.acknowledgmentRequested ? '1' : '0', spec.usage ?? 'P', seps.component,
  ];
  const body: Segment[] = [];
  for (const g of spec.groups) {
    controlNumber(g.controlNumber, 'group control number');
    const gs06 = String(g.controlNumber);
    body.push(['GS', g.functionalId, g.sender, g.receiver, x12Date(spec.date), spec.time, gs06, 'X', g.version ?? `${version}0`]);
    for (const t of g.transactions) {
      body.push(['ST', t.type, t.controlNumber], ...t.body, ['SE', String(t.body.length + 2), t.controlNumber]);
    }
    body.push(['GE', String(g.transactions.length), gs06]);
  }
  body.push(['IEA', String(spec.groups.length), isa13]);
  return writeIsa(isa, seps) + serializeSegments(body, seps);
}

/**
 * Re-delimits parsed content: every segment as read (including broken control numbers and
 * missing trailers), written with other separators. ISA16 and ISA11 follow the new separators.
 */
export function serializeParsed(parsed: X12ParseDetail, seps: Separators): string {
  checkSeparators(seps);
  let out = '';
  for (const x of parsed.interchanges) {
    if (x.header) {
      const isa = [...x.header.slice(1, 16)];
      while (isa.length < 15) isa.push('');
      if (seps.repetition !== undefined) isa[10] = seps.repetition;
      else if (x.separators.repetition !== undefined) isa[10] = 'U';
      out += writeIsa([...isa, seps.component], seps);
    }
    const body: Segment[] = [];
    for (const g of x.groups) {
      if (g.header) body.push(g.header);
      for (const t of g.transactions) body.push(...t.segments);
      if (g.trailer) body.push(g.trailer);
    }
    if (x.trailer) body.push(x.trailer);
    out += serializeSegments(body, seps);
  }
  return out;
}
