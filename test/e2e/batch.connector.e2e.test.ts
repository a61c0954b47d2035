import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  batchConnectorConfigSchema, createBatchConnector, readCsv, writeCsv, type BatchConnector, type BatchConnectorConfigInput,
} from '../../src/connectors/batch/index.js';
import { ConnectorError } from '../../src/connectors/port.js';
import { acknowledgeGroups, parseX12Detail } from '../../src/connectors/x12/index.js';
import { CANCEL, RELEASE, envelopeOf, recordingSink } from '../unit/connector.support.js';
import { fixture } from '../unit/x12.support.js';

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const signal = new AbortController().signal;

let root: string;
let shiftMs = 0;
const now = (): Date => new Date(Date.now() + shiftMs);

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'orderly-batch-'));
  shiftMs = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const MAPPING = {
  tables: {
    skus: { codes: { 'UPC-1': 'SKU-RED', '123456789': 'SKU-WIDGET' }, passthrough: true },
    carriers: { codes: { UPS: 'ups', NPLT: 'northpoint', NA: null } },
    units: { codes: { EA: { unit: 'EA', factor: 1 } }, default: { unit: 'EA', factor: 1 } },
    status: { codes: { CC: 'shipped', CL: 'shipped' } },
    locations: { codes: { WH1: 'dc-east' } },
  },
} as const;

function connector(over: Partial<BatchConnectorConfigInput> = {}): BatchConnector {
  const config = batchConnectorConfigSchema.parse({
    id: 'wms-east', format: 'csv', directories: { root }, settleMs: 0, pollIntervalMs: 100, mapping: MAPPING, ...over,
  });
  return createBatchConnector(config, { now });
}

const X12 = { sender: { qualifier: 'ZZ', id: 'ORDERLY' }, receiver: { qualifier: 'ZZ', id: 'WMSEAST' } };
const dir = (name: string): string => path.join(root, name);
const list = (name: string): string[] => (existsSync(dir(name)) ? readdirSync(dir(name)).sort() : []);
const drop = (name: string, content: string | Buffer): void => {
  mkdirSync(dir('inbox'), { recursive: true });
  writeFileSync(path.join(dir('inbox'), name), content);
};
const errorsCsv = (file: string): string[][] => {
  const r = readCsv(readFileSync(path.join(dir('failed'), `${file}.errors.csv`), 'utf8'));
  if (!r.ok) throw new Error(r.message);
  return r.records.map((x) => [...x.fields]);
};

const SHIPMENTS = writeCsv([
  ['fulfillmentId', 'shipmentId', 'sku', 'quantity', 'carrier', 'trackingNumber', 'shippedAt'],
  ['ful_1', 'shp_1', 'UPC-1', '2', 'UPS', '1Z1', '2024-05-01T10:00:00Z'],
  ['ful_2', 'shp_2', 'SKU-BLUE', '1', 'UPS', '1Z2', '2024-05-01T11:00:00Z'],
]);

describe('batch connector: outbound', () => {
  it('writes a deterministic file with a checksum sidecar; a resend overwrites it instead of adding one', async () => {
    const c = connector();
    const result = await c.send(envelopeOf(RELEASE, 'ful_01HZX:release'), { signal });
    const name = result.reference ?? '';
    expect(name).toMatch(/^wms-east\.fulfillment-release\.ful_01HZX_release\.[0-9a-f]{12}\.csv$/);
    const content = readFileSync(path.join(dir('outbox'), name), 'utf8');
    expect(readFileSync(path.join(dir('outbox'), `${name}.sha256`), 'utf8')).toBe(`${sha(content)}  ${name}\n`);

    shiftMs = 60_000;
    const again = await c.send({ ...envelopeOf(RELEASE, 'ful_01HZX:release'), attempt: 2, messageId: 'out_retry' }, { signal });
    expect(again.reference).toBe(name);
    expect(list('outbox')).toEqual([name, `${name}.sha256`]);
    expect(readFileSync(path.join(dir('outbox'), name), 'utf8')).toBe(content);
    const [record] = await c.outstanding({ olderThanMs: 0 });
    expect(record).toMatchObject({ name, sha256: sha(content), messageType: 'fulfillment.release', fulfillmentId: 'ful_01HZX', sends: 2 });
    expect(Date.parse(record?.lastSentAt ?? '') - Date.parse(record?.firstSentAt ?? '')).toBeGreaterThanOrEqual(60_000);
  });

  it('declares its capabilities and refuses what it cannot send as business errors', async () => {
    const c = connector();
    expect(c.capabilities).toEqual({ deduplicates: true, canCancel: true, partialCancel: false, statusQuery: false });
    expect(c.handles).toEqual(['fulfillment.release', 'fulfillment.cancel']);
    await expect(c.send(envelopeOf({ ...CANCEL, lines: [{ lineId: '1', sku: 'A', quantity: 1 }] }), { signal }))
      .rejects.toMatchObject({ kind: 'business', code: 'partial_cancel_unsupported' });
    const aborted = new AbortController();
    aborted.abort();
    await expect(c.send(envelopeOf(CANCEL), { signal: aborted.signal })).rejects.toBeInstanceOf(ConnectorError);
    expect(list('outbox')).toEqual([]);
  });

  it('matches <name>.ack files to what it sent and lists the rest as outstanding past their age', async () => {
    const c = connector();
    const sink = recordingSink();
    const a = (await c.send(envelopeOf(RELEASE, 'a'), { signal })).reference ?? '';
    const b = (await c.send(envelopeOf(CANCEL, 'b'), { signal })).reference ?? '';
    const content = readFileSync(path.join(dir('outbox'), a), 'utf8');
    expect(await c.outstanding()).toEqual([]); // younger than ackTimeoutMs
    shiftMs = 2 * 86_400_000;
    expect((await c.outstanding()).map((r) => r.name).sort()).toEqual([a, b].sort());

    drop(`${a}.ack`, `${sha(content)}  ${a}\n`);
    drop(`${b}.ack`, `${'0'.repeat(64)}\n`);
    drop('never-sent.csv.ack', '');
    const report = await c.scanOnce(sink);
    expect(report.files.map((f) => [f.name, f.kind, f.outcome]).sort()).toEqual([
      [`${a}.ack`, 'ack', 'processed'], [`${b}.ack`, 'ack', 'failed'], ['never-sent.csv.ack', 'ack', 'failed'],
    ].sort());
    expect((await c.outstanding()).map((r) => r.name)).toEqual([b]);
    expect(sink.quarantined.map((q) => q.reason).sort()).toEqual([
      `${b}.ack: acknowledges a different version of ${b}: sha256 ${'0'.repeat(64)}, sent ${sha(readFileSync(path.join(dir('outbox'), b), 'utf8'))}`,
      'never-sent.csv.ack: acknowledgement for never-sent.csv, which this connector never sent',
    ].sort());
    expect(list('processed')).toEqual([`${a}.ack`]);
    expect(list('failed')).toEqual([`${b}.ack`, `${b}.ack.errors.csv`, 'never-sent.csv.ack', 'never-sent.csv.ack.errors.csv'].sort());
  });

  it('an X12 connector writes 940s and takes the partner\'s 997 as their acknowledgement', async () => {
    const c = connector({ format: 'x12', x12: X12 });
    const sink = recordingSink();
    const name = (await c.send(envelopeOf(RELEASE, 'r1'), { signal })).reference ?? '';
    const other = (await c.send(envelopeOf(RELEASE, 'r2'), { signal })).reference ?? '';
    const ackFor = (file: string, strictReject: boolean) => {
      let text = readFileSync(path.join(dir('outbox'), file), 'utf8');
      if (strictReject) text = text.replace(/SE\*\d+\*/, 'SE*99*'); // a 997 that rejects the set
      const [ack] = acknowledgeGroups(parseX12Detail(text), { fileKey: file, date: '2024-05-03', time: '0910', strict: true });
      return ack?.text ?? '';
    };
    drop('partner-997-a.edi', ackFor(name, false));
    drop('partner-997-b.edi', ackFor(other, true));
    const report = await c.scanOnce(sink);
    expect(report.files.map((f) => [f.name, f.kind, f.outcome])).toEqual([['partner-997-a.edi', 'x12', 'processed'], ['partner-997-b.edi', 'x12', 'processed']]);
    expect((await c.outstanding({ olderThanMs: 0 })).map((r) => [r.name, r.ack?.status, r.ack?.detail])).toEqual([[other, 'rejected', 'AK9 R, AK5 R']]);
    expect(sink.quarantined.map((q) => q.reason)).toEqual([`partner-997-b.edi: the partner's 997 rejects ${other} (AK9 R, AK5 R)`]);
    // A 997 for a group this connector never sent is quarantined.
    drop('stray-997.edi', ackFor(name, false).replace(/AK1\*OW\*\d+/, 'AK1*OW*4242'));
    const stray = await c.scanOnce(sink);
    expect(stray.files.map((f) => [f.outcome, f.quarantined])).toEqual([['failed', 1]]);
    expect(errorsCsv('stray-997.edi')[1]).toEqual(['1.1.1', 'AK202', expect.stringContaining('which this connector never sent')]);
  });
});

describe('batch connector: inbound', () => {
  it('hands each message to the sink with source <connector>, <sha256>#<row>, then moves the file to processed/', async () => {
    const c = connector();
    const sink = recordingSink();
    drop('shipments-0501.csv', SHIPMENTS);
    const report = await c.scanOnce(sink);
    expect(report.files).toEqual([expect.objectContaining({ name: 'shipments-0501.csv', kind: 'csv', outcome: 'processed', delivered: 2, errors: [] })]);
    expect(sink.received.map((r) => [r.source, r.message])).toEqual([
      [{ system: 'wms-east', messageId: `${sha(SHIPMENTS)}#2` }, {
        type: 'fulfillment.shipped', fulfillmentId: 'ful_1', shipmentId: 'shp_1', lines: [{ sku: 'SKU-RED', quantity: 2 }],
        carrier: 'ups', trackingNumber: '1Z1', shippedAt: '2024-05-01T10:00:00.000Z',
      }],
      [{ system: 'wms-east', messageId: `${sha(SHIPMENTS)}#3` }, expect.objectContaining({ fulfillmentId: 'ful_2', lines: [{ sku: 'SKU-BLUE', quantity: 1 }] })],
    ]);
    expect(list('inbox')).toEqual([]);
    expect(list('processing')).toEqual([]);
    expect(list('processed')).toEqual(['shipments-0501.csv']);
  });

  it('a re-dropped identical file is deduplicated by the sink through its message ids', async () => {
    const c = connector();
    const sink = recordingSink();
    drop('shipments.csv', SHIPMENTS);
    await c.scanOnce(sink);
    drop('shipments.csv', SHIPMENTS);
    const again = await c.scanOnce(sink);
    expect(again.files).toEqual([expect.objectContaining({ outcome: 'processed', delivered: 0, duplicates: 2 })]);
    expect(sink.received.map((r) => r.outcome.status)).toEqual(['applied', 'applied', 'duplicate', 'duplicate']);
    expect(list('processed')).toEqual(['shipments.csv']);
    // Same name, other content: both kept.
    drop('shipments.csv', SHIPMENTS.replace('shp_2', 'shp_3'));
    await c.scanOnce(sink);
    expect(list('processed')).toEqual(['shipments.csv', `shipments.${sha(SHIPMENTS.replace('shp_2', 'shp_3')).slice(0, 12)}.csv`].sort());
  });

  it('a CSV with bad rows gives the good rows to the sink, reports the bad ones beside the file and quarantines them raw', async () => {
    const c = connector();
    const sink = recordingSink();
    const text = writeCsv([
      ['fulfillmentId', 'shipmentId', 'sku', 'quantity', 'carrier', 'shippedAt'],
      ['ful_1', 's1', 'A', '1', 'UPS', '2024-05-01T10:00:00Z'],
      ['ful_2', 's2', 'B', 'x', 'UPS', '2024-05-01T10:00:00Z'],
      ['ful_3', 's3', 'C', '1', 'DHL', '2024-05-01T10:00:00Z'],
      ['ful_4', 's4', 'D', '1', '', '2024-05-01T10:00:00Z'],
    ]);
    drop('mixed.csv', text);
    const [file] = (await c.scanOnce(sink)).files;
    expect(file).toMatchObject({ outcome: 'failed', delivered: 2, quarantined: 2 });
    expect(sink.received.map((r) => (r.message as { fulfillmentId: string }).fulfillmentId)).toEqual(['ful_1', 'ful_4']);
    expect(list('failed')).toEqual(['mixed.csv', 'mixed.csv.errors.csv']);
    expect(readFileSync(path.join(dir('failed'), 'mixed.csv'), 'utf8')).toBe(text);
    expect(errorsCsv('mixed.csv')).toEqual([
      ['row', 'field', 'message'], ['3', 'quantity', "'x' is not a number"], ['4', 'carrier', "unknown carriers code 'DHL'"],
    ]);
    expect(sink.quarantined).toEqual([
      { connector: 'wms-east', reason: "mixed.csv: row 3 quantity: 'x' is not a number", raw: 'fulfillmentId,shipmentId,sku,quantity,carrier,shippedAt\r\nful_2,s2,B,x,UPS,2024-05-01T10:00:00Z\r\n', source: { system: 'wms-east', messageId: `${sha(text)}#3` } },
      { connector: 'wms-east', reason: "mixed.csv: row 4 carrier: unknown carriers code 'DHL'", code: 'DHL', raw: 'fulfillmentId,shipmentId,sku,quantity,carrier,shippedAt\r\nful_3,s3,C,1,DHL,2024-05-01T10:00:00Z\r\n', source: { system: 'wms-east', messageId: `${sha(text)}#4` } },
    ]);
  });

  it('a row the sink rejects is reported and quarantined like a bad row', async () => {
    const c = connector();
    const sink = recordingSink((m) => ('fulfillmentId' in m && m.fulfillmentId === 'ful_2'
      ? { status: 'rejected', code: 'validation_failed', message: 'bad', errors: [{ path: 'lines[0].quantity', message: 'too many' }] }
      : { status: 'applied' }));
    drop('s.csv', SHIPMENTS);
    const [file] = (await c.scanOnce(sink)).files;
    expect(file).toMatchObject({ outcome: 'failed', delivered: 1, quarantined: 1 });
    expect(errorsCsv('s.csv')[1]).toEqual(['3', '', 'rejected by Orderly: validation_failed: bad (lines[0].quantity: too many)']);
  });

  it('a file that cannot be parsed at all goes to failed/ with its error and is quarantined once', async () => {
    const c = connector();
    const sink = recordingSink();
    drop('broken.csv', 'fulfillmentId,accepted\r\n"ful_1,true\r\n');
    drop('latin1.csv', Buffer.from([0x66, 0x75, 0x6c, 0xe9, 0x0a]));
    const report = await c.scanOnce(sink);
    expect(report.files.map((f) => [f.name, f.kind, f.outcome, f.quarantined]).sort()).toEqual([
      ['broken.csv', 'csv', 'failed', 1], ['latin1.csv', 'unreadable', 'failed', 1],
    ]);
    expect(sink.received).toEqual([]);
    expect(errorsCsv('broken.csv')).toEqual([['row', 'field', 'message'], ['2', '', 'row 2: a quoted field is never closed']]);
    expect(sink.quarantined.map((q) => [q.reason, q.source.messageId]).sort()).toEqual([
      ['broken.csv: row 2: a quoted field is never closed', sha('fulfillmentId,accepted\r\n"ful_1,true\r\n')],
      ['latin1.csv: the file is not UTF-8 text', sha(Buffer.from([0x66, 0x75, 0x6c, 0xe9, 0x0a]))],
    ]);
  });

  it('an X12 945 becomes a shipped fact and gets a 997; one without its fulfillment id is quarantined raw', async () => {
    const c = connector({ format: 'x12', x12: X12 });
    const sink = recordingSink();
    const good = fixture('x12-945', 'x12-types_test_945_parse_1.edi');
    drop('945-good.edi', good);
    drop('945-no-id.edi', fixture('x12-945', 'inter-americanproducts.txt'));
    const report = await c.scanOnce(sink);
    expect(report.files.map((f) => [f.name, f.outcome, f.delivered, f.quarantined])).toEqual([['945-good.edi', 'processed', 1, 0], ['945-no-id.edi', 'failed', 0, 1]]);
    expect(sink.received.map((r) => [r.source.messageId, r.message])).toEqual([[`${sha(good)}#1.1.1/1`, {
      type: 'fulfillment.shipped', fulfillmentId: 'IF102', shipmentId: 'BOL12345', lines: [{ sku: 'SKU-WIDGET', quantity: 3000 }],
      carrier: 'northpoint', shippedAt: '2019-06-04T00:00:00.000Z',
    }]]);
    const [q] = sink.quarantined;
    expect(q?.reason).toContain('945 0003100001 (1.1.1): W0602: W0602 depositor order number is empty');
    expect(q?.raw.startsWith('ST*945*0003100001~W06*N**20020916*2144~')).toBe(true);
    expect(errorsCsv('945-no-id.edi')[1]).toEqual(['1.1.1', 'W0602', expect.stringContaining('W0602 depositor order number is empty')]);
    const acks = list('outbox').filter((n) => n.includes('.997.') && n.endsWith('.edi'));
    expect(acks).toHaveLength(2);
    expect(list('outbox').filter((n) => n.endsWith('.sha256'))).toHaveLength(2);
  });

  it('when the sink fails the file goes back to the inbox and is taken again; what was delivered is deduplicated', async () => {
    const c = connector();
    const sink = recordingSink();
    drop('s.csv', SHIPMENTS);
    drop('t.csv', SHIPMENTS.replace(/ful_/g, 'ful_t'));
    sink.failNext = 0;
    const original = sink.receive.bind(sink);
    let calls = 0;
    sink.receive = (m, s) => (++calls === 2 ? Promise.reject(new Error('store down')) : original(m, s));
    const first = await c.scanOnce(sink);
    expect(first.files.map((f) => [f.name, f.outcome])).toEqual([['s.csv', 'retry']]);
    expect(list('inbox')).toEqual(['s.csv', 't.csv']);
    const second = await c.scanOnce(sink);
    expect(second.files.map((f) => [f.name, f.outcome, f.delivered, f.duplicates])).toEqual([['s.csv', 'processed', 1, 1], ['t.csv', 'processed', 2, 0]]);
  });

  it('two pollers on the same folders process each file exactly once', async () => {
    const a = connector();
    const b = connector();
    const [sinkA, sinkB] = [recordingSink(), recordingSink()];
    const names = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}.csv`);
    for (const [i, name] of names.entries()) drop(name, SHIPMENTS.replace(/ful_/g, `ful_${i}_`));
    const [ra, rb] = await Promise.all([a.scanOnce(sinkA), b.scanOnce(sinkB), a.scanOnce(sinkA), b.scanOnce(sinkB)]);
    expect(ra && rb).toBeTruthy();
    const ids = [...sinkA.received, ...sinkB.received].map((r) => r.source.messageId);
    expect(ids).toHaveLength(80);
    expect(new Set(ids).size).toBe(80);
    expect(list('processed')).toEqual(names);
    expect(list('inbox')).toEqual([]);
    expect(list('processing')).toEqual([]);
  });

  it('a claim left in processing/ by a dead poller is taken again after staleClaimMs; unsettled files wait', async () => {
    const c = connector({ staleClaimMs: 60_000, settleMs: 60_000 });
    const sink = recordingSink();
    mkdirSync(dir('processing'), { recursive: true });
    const old = (Date.now() - 120_000).toString(36);
    writeFileSync(path.join(dir('processing'), `${old}~0badf00d~left.csv`), SHIPMENTS);
    writeFileSync(path.join(dir('processing'), `${Date.now().toString(36)}~0badf00d~busy.csv`), SHIPMENTS);
    drop('fresh.csv', SHIPMENTS);
    const report = await c.scanOnce(sink);
    expect(report.files.map((f) => [f.name, f.outcome])).toEqual([['left.csv', 'processed']]);
    expect(list('inbox')).toEqual(['fresh.csv']);
    expect(list('processing')).toHaveLength(1);
  });

  it('start polls until close', async () => {
    const c = connector({ pollIntervalMs: 100 });
    const sink = recordingSink();
    await c.start?.(sink);
    drop('later.csv', SHIPMENTS);
    for (let i = 0; i < 50 && list('processed').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await c.close?.();
    expect(list('processed')).toEqual(['later.csv']);
    drop('after-close.csv', SHIPMENTS);
    await new Promise((r) => setTimeout(r, 300));
    expect(list('inbox')).toEqual(['after-close.csv']);
  });
});
