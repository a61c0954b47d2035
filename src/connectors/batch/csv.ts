/**
 * A small RFC 4180 reader and writer: quoted fields may hold commas, line breaks and doubled
 * quotes; CRLF, LF and CR all end a record; a UTF-8 BOM is dropped; blank lines are skipped.
 */

export interface CsvRecord {
  /** 1-based record number (the header is 1); with quoted line breaks it can differ from the line. */
  readonly row: number;
  readonly fields: readonly string[];
  /** The record's text as read, for quarantine and error reports. */
  readonly raw: string;
  /** A defect confined to this record (a quote inside an unquoted field). */
  readonly error?: string;
}

export type CsvReadResult =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly row: number; readonly message: string };

/** Parses CSV text. Only an unterminated quoted field fails the whole text: nothing after it can be trusted. */
export function readCsv(input: string): CsvReadResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let row = 0;
  let i = 0;
  while (i < text.length) {
    const start = i;
    const fields: string[] = [];
    let error: string | undefined;
    let field = '';
    let quoted = false;
    let ended = false;
    row++;
    while (!ended) {
      const c = text[i];
      if (c === undefined) {
        fields.push(field);
        ended = true;
      } else if (c === '"' && field === '' && !quoted) {
        const close = readQuoted(text, i + 1);
        if (close === undefined) return { ok: false, row, message: 'a quoted field is never closed' };
        field = close.value;
        quoted = true;
        i = close.end;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
          error ??= `unexpected ${JSON.stringify(next)} after a closing quote (field ${fields.length + 1})`;
        }
      } else if (c === ',') {
        fields.push(field);
        [field, quoted] = ['', false];
        i++;
      } else if (c === '\r' || c === '\n') {
        fields.push(field);
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        ended = true;
      } else {
        if (c === '"') error ??= `a quote inside the unquoted field ${fields.length + 1}`;
        field += c;
        i++;
      }
    }
    const raw = text.slice(start, i).replace(/\r?\n$|\r$/, '');
    if (fields.length === 1 && fields[0] === '' && raw === '') continue; // a blank line
    records.push({ row, fields, raw, ...(error ? { error } : {}) });
  }
  return { ok: true, records };
}

function readQuoted(text: string, from: number): { value: string; end: number } | undefined {
  let value = '';
  let i = from;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) return undefined;
    value += text.slice(i, close);
    if (text[close + 1] === '"') {
      value += '"';
      i = close + 2;
    } else {
      return { value, end: close + 1 };
    }
  }
}

/** A leading BOM is quoted too, or a reader would drop it as the file's byte-order mark. */
const NEEDS_QUOTES = /[",\r\n]|^\uFEFF/;

function writeField(v: string): string {
  return NEEDS_QUOTES.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Writes records with CRLF endings; a record of one empty field is written `""` so it is not a blank line. */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => (r.length === 1 && r[0] === '' ? '""' : r.map(writeField).join(','))).map((l) => `${l}\r\n`).join('');
}

/** Header names → column index, matched case-insensitively and trimmed; a repeated name is an error. */
export function headerIndex(header: readonly string[]): { readonly ok: true; readonly index: ReadonlyMap<string, number> } | { readonly ok: false; readonly message: string } {
  const index = new Map<string, number>();
  for (const [n, name] of header.entries()) {
    const key = name.trim().toLowerCase();
    if (key === '') continue;
    if (index.has(key)) return { ok: false, message: `column '${name.trim()}' appears twice in the header` };
    index.set(key, n);
  }
  return { ok: true, index };
}
