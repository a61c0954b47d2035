import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  batchConnectorConfigSchema, outboundFileName, parseBatchConnectorConfig, readCsv, renderOutbound, type BatchConnectorConfigInput,
} from '../../src/connectors/batch/index.js';
import { readMappingFile } from '../../src/connectors/mapping/index.js';
import { ConnectorError, type PaymentCaptureMessage } from '../../src/connectors/port.js';
import { parseX12 } from '../../src/connectors/x12/index.js';
import { CANCEL, RELEASE, envelopeOf } from './connector.support.js';
import { documents } from './x12.support.js';

const base: BatchConnectorConfigInput = { id: 'wms-east', format: 'csv', directories: { root: '/srv/wms-east' } };
const config = (over: Partial<BatchConnectorConfigInput> = {}) => batchConnectorConfigSchema.parse({ ...base, ...over });
const records = (text: string) => {
  const r = readCsv(text);
  if (!r.ok) throw new Error(r.message);
  return r.records.map((x) => x.fields);
};

describe('outbound file names', () => {
  it('come from the connector id, message type and idempotency key: stable, file-system safe, unique per key', () => {
    const name = outboundFileName('wms-east', 'fulfillment.release', 'ful_01HZX:release', 'csv');
    expect(name).toMatch(/^wms-east\.fulfillment-release\.ful_01HZX_release\.[0-9a-f]{12}\.csv$/);
    expect(outboundFileName('wms-east', 'fulfillment.release', 'ful_01HZX:release', 'csv')).toBe(name);
    expect(outboundFileName('wms-east', 'fulfillment.release', 'ful_01HZX/release', 'csv')).not.toBe(name);
    expect(outboundFileName('wms-east', 'fulfillment.release', '../../etc/passwd', 'csv')).toMatch(/^wms-east\.fulfillment-release\.etc_passwd\.[0-9a-f]{12}\.csv$/);
    expect(outboundFileName('wms-east', 'fulfillment.cancel', '...', 'edi')).toMatch(/^wms-east\.fulfillment-cancel\.key\.[0-9a-f]{12}\.edi$/);
  });
});

describe('outbound CSV', () => {
  it('a release is one row per line; ship-to and contact only with pii', () => {
    const file = renderOutbound(envelopeOf(RELEASE, 'k1'), config());
    const [header, ...rows] = records(file.content);
    expect(header?.slice(0, 4)).toEqual(['action', 'fulfillmentId', 'orderId', 'nodeId']);
    const column = (name: string) => rows.map((r) => r[header?.indexOf(name) ?? -1]);
    expect(column('sku')).toEqual(['SKU-RED', 'SKU-BLUE']);
    expect(column('quantity')).toEqual(['2', '1']);
    expect(column('unitPrice')).toEqual(['1999', '500']);
    expect(column('shipMethod')).toEqual(['expedited', 'expedited']);
    expect(column('shipToCity')).toEqual(['', '']);
    expect(file.content).not.toMatch(/Ada|Seattle|example\.com/);
    const withPii = records(renderOutbound(envelopeOf(RELEASE, 'k1'), config({ pii: true })).content);
    expect(withPii[1]?.[withPii[0]?.indexOf('shipToCity') ?? -1]).toBe('Seattle');
    expect(withPii[1]?.[withPii[0]?.indexOf('customerEmail') ?? -1]).toBe('ada@example.com');
  });

  it('a cancel is one row; a partial cancel and a payment message are business errors', () => {
    expect(records(renderOutbound(envelopeOf(CANCEL), config()).content)).toEqual([
      ['action', 'fulfillmentId', 'orderId', 'nodeId', 'reason', 'requestedAt'],
      ['cancel', 'ful_01HZX', 'ord_01HZX', 'dc-east', 'customer_request', '2024-05-02T08:00:00Z'],
    ]);
    const capture: PaymentCaptureMessage = { type: 'payment.capture', orderId: 'o', authorizationId: 'a', amount: 1, currency: 'USD', reference: 'r' };
    for (const [message, code] of [[{ ...CANCEL, lines: [{ lineId: '1', sku: 'A', quantity: 1 }] }, 'partial_cancel_unsupported'], [capture, 'unsupported_message']] as const) {
      expect(() => renderOutbound(envelopeOf(message), config())).toThrow(ConnectorError);
      try {
        renderOutbound(envelopeOf(message), config());
      } catch (e) {
        expect([(e as ConnectorError).kind, (e as ConnectorError).code]).toEqual(['business', code]);
      }
    }
  });
});

describe('outbound X12 and config', () => {
  const x12 = { sender: { qualifier: 'ZZ', id: 'ORDERLY' }, receiver: { qualifier: 'ZZ', id: 'WMSEAST' } };

  it('an X12 connector writes a 940 and records its control numbers for the 997', () => {
    const file = renderOutbound(envelopeOf(RELEASE, 'k1'), config({ format: 'x12', x12 }));
    expect(file.name).toMatch(/\.edi$/);
    const parsed = parseX12(file.content, { strict: true });
    expect(parsed.interchanges[0]?.controlNumber).toBe(file.x12?.interchange);
    expect(parsed.interchanges[0]?.groups[0]?.controlNumber).toBe(file.x12?.group);
    expect(parsed.interchanges[0]?.groups[0]?.transactions[0]?.controlNumber).toBe(file.x12?.transaction);
    expect(documents(parsed, 'warehouse_shipping_order')[0]?.orderId).toBe('ful_01HZX');
  });

  it('validates the config with errors at the field', () => {
    const errors = (doc: unknown) => {
      const r = parseBatchConnectorConfig(doc);
      return r.ok ? [] : [...(r.error.errors ?? [])];
    };
    expect(errors({ ...base, format: 'x12' })).toEqual([{ path: 'x12.sender', message: 'required when format is x12' }]);
    expect(errors({ ...base, id: 'WMS East' })[0]?.path).toBe('id');
    expect(errors({ ...base, pollIntervalMs: 5 })[0]?.path).toBe('pollIntervalMs');
    expect(errors({ ...base, directories: { root: '/srv/x', inbox: '/srv/x/outbox' } })).toEqual([{ path: 'directories.outbox', message: 'is the same folder as inbox (/srv/x/outbox)' }]);
    expect(errors({ ...base, mapping: { connector: 'other', tables: {} } })).toEqual([{ path: 'mapping.connector', message: "the mapping tables are for 'other', not 'wms-east'" }]);
    expect(errors({ ...base, mapping: { tables: { units: { codes: { CA: { unit: 'EA', factor: 0 } } } } } })).toEqual([{ path: 'mapping.tables.units.codes.CA.factor', message: 'must be > 0' }]);
    expect(errors({ ...base, x12: { ...x12, carriers: { fast: {} } } })[0]?.path).toBe('x12.carriers.fast');
    expect(config()).toMatchObject({ pollIntervalMs: 5000, settleMs: 1000, pii: false, utcOffset: '+00:00', x12: { acknowledge: true, strict: false } });
  });
});

describe('examples/connectors', () => {
  const example = (name: string): string => fileURLToPath(new URL(`../../examples/connectors/${name}`, import.meta.url));

  it('the example connector config and mapping document are valid', () => {
    const parsed = parseBatchConnectorConfig(parseYaml(readFileSync(example('wms-east.batch.yaml'), 'utf8')));
    expect(parsed.ok ? parsed.value.x12.carriers?.overnight?.scac : parsed.error).toBe('FDEN');
    expect(readMappingFile(example('wms-east.mapping.yaml'), 'wms-east').tables.reasons?.codes['01']).toBe('customer_request');
  });
});
