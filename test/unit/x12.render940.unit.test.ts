import { describe, expect, it } from 'vitest';
import { ConnectorError, type Envelope } from '../../src/connectors/port.js';
import {
  acknowledgeGroups, controlNumbers, parseX12, parseX12Detail, read997, render940, type X12OutboundOptions,
} from '../../src/connectors/x12/index.js';
import { CANCEL, RELEASE } from './connector.support.js';
import { documents, fixture } from './x12.support.js';

const OPTIONS: X12OutboundOptions = {
  sender: { qualifier: 'ZZ', id: 'ORDERLY' }, receiver: { qualifier: 'ZZ', id: 'WMSEAST' }, pii: true,
  carriers: { expedited: { paymentMethod: 'PP', transportMethod: 'U', routing: 'UPS 2ND DAY AIR', scac: 'UPSN' } },
};

const envelope = (message: Envelope['message'], key = 'ful_01HZX:release'): Envelope => ({ messageId: 'out_1', idempotencyKey: key, attempt: 1, message });

describe('940 out', () => {
  it('writes W05 N with the fulfillment id, the ship-to, W66 from the carrier table and one LX/W01 per line', () => {
    const text = render940(envelope(RELEASE), OPTIONS);
    const n = controlNumbers('ful_01HZX:release');
    expect(text.split('\n')).toEqual([
      `ISA*00*          *00*          *ZZ*ORDERLY        *ZZ*WMSEAST        *240501*1005*U*00401*${String(n.interchange).padStart(9, '0')}*0*P*>~`,
      `GS*OW*ORDERLY*WMSEAST*20240501*1005*${n.group}*X*004010~`,
      `ST*940*${n.transaction}~`,
      'W05*N*ful_01HZX*WEB-1001~',
      'N1*ST*Ada L~',
      'N3*1 Main St*Apt 2~',
      'N4*Seattle*WA*98101*US~',
      'PER*IC*Ada Lovelace*TE*5551234*EM*ada@example.com~',
      'N9*OQ*ord_01HZX~',
      'W66*PP*U***UPS 2ND DAY AIR*****UPSN~',
      'LX*1~', 'W01*2*EA**SK*SKU-RED~', 'N9*LI*1~',
      'LX*2~', 'W01*1*EA**SK*SKU-BLUE~', 'N9*LI*2~',
      'W76*3~',
      `SE*16*${n.transaction}~`,
      `GE*1*${n.group}~`,
      `IEA*1*${String(n.interchange).padStart(9, '0')}~`,
      '',
    ]);
  });

  it('is identical on a resend and differs for another key', () => {
    expect(render940(envelope(RELEASE), OPTIONS)).toBe(render940({ ...envelope(RELEASE), attempt: 7, messageId: 'out_2' }, OPTIONS));
    expect(render940(envelope(RELEASE, 'other-key'), OPTIONS)).not.toBe(render940(envelope(RELEASE), OPTIONS));
  });

  it('parses back to the same fulfillment id, lines and order references', () => {
    const [order] = documents(parseX12(render940(envelope(RELEASE), OPTIONS), { strict: true }), 'warehouse_shipping_order');
    expect(order).toMatchObject({ statusCode: 'N', orderId: 'ful_01HZX', purchaseOrder: 'WEB-1001' });
    expect(order?.lines.map((l) => [l.references.find((r) => r.qualifier === 'LI')?.value, l.itemIds.SK, l.quantity, l.uom])).toEqual([
      ['1', 'SKU-RED', 2, 'EA'], ['2', 'SKU-BLUE', 1, 'EA'],
    ]);
  });

  it('drops the ship-to and contact without pii; writes the method as routing text without a carrier table', () => {
    const text = render940(envelope(RELEASE), { sender: OPTIONS.sender, receiver: OPTIONS.receiver, pii: false });
    expect(text).not.toMatch(/N1\*ST|Ada|Seattle|5551234/);
    expect(text).toContain('W66*PP*ZZ***EXPEDITED~');
    const pickup = render940(envelope({ ...RELEASE, delivery: { type: 'pickup', storeId: 'store-12' } }), OPTIONS);
    expect(pickup).toContain('W66*PP*H***PICKUP store-12~');
  });

  it('refuses, as business errors, a ship method with no carrier, a partial cancel and data X12 cannot carry', () => {
    const expectBusiness = (f: () => unknown, code: string) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConnectorError);
        expect([(e as ConnectorError).kind, (e as ConnectorError).code]).toEqual(['business', code]);
      }
    };
    expectBusiness(() => render940(envelope({ ...RELEASE, delivery: { type: 'ship', shipMethod: 'overnight' } }), OPTIONS), 'unmapped_ship_method');
    expectBusiness(() => render940(envelope({ ...CANCEL, lines: [{ lineId: '1', sku: 'SKU-RED', quantity: 1 }] }), OPTIONS), 'partial_cancel_unsupported');
    expectBusiness(() => render940(envelope({ ...RELEASE, lines: [{ lineId: '1', sku: 'SKU*RED', quantity: 1, unitPrice: 1 }] }), OPTIONS), 'unencodable');
    expectBusiness(() => render940(envelope({ ...RELEASE, releasedAt: 'yesterday' }), OPTIONS), 'invalid_message');
  });

  it('a cancel is W05 F with no lines, and reads back as a cancel of the same fulfillment', () => {
    const text = render940(envelope(CANCEL, 'ful_01HZX:cancel'), OPTIONS);
    expect(text).toContain('W05*F*ful_01HZX~');
    expect(text).toContain('NTE*GEN*CANCEL CUSTOMER_REQUEST~');
    const [order] = documents(parseX12(text, { strict: true }), 'warehouse_shipping_order');
    expect(order).toMatchObject({ statusCode: 'F', orderId: 'ful_01HZX', lines: [] });
  });
});

describe('997 in and out', () => {
  it('acknowledges each received group, addressed back, with control numbers from the file key', () => {
    const detail = parseX12Detail(fixture('x12-945', 'x12-types_test_945_parse_1.edi'));
    const [ack] = acknowledgeGroups(detail, { fileKey: 'abc', date: '2024-05-03', time: '0910' });
    expect(ack?.position).toBe('1.1');
    const lines = ack?.text?.split('\n') ?? [];
    expect(lines[0]?.startsWith('ISA*00*          *00*          *ZZ*WAQE           *ZZ*YOUR-ID-HERE   *240503*0910*')).toBe(true);
    expect(lines.slice(3, 7)).toEqual(['AK1*SW*000000123~', 'AK2*945*000006123~', 'AK5*E*4~', 'AK9*E*1*1*1~']);
    expect(acknowledgeGroups(detail, { fileKey: 'abc', date: '2024-05-03', time: '0910' })).toEqual([ack]);
    expect(acknowledgeGroups(parseX12Detail(fixture('x12-945', 'x12-types_render_945_simplot-st-only.edi')), { fileKey: 'x', date: '2024-05-03', time: '0910' }))
      .toEqual([{ position: '1.1', skipped: 'the group arrived without ISA/GS: there is no one to address a 997 to' }]);
  });

  it('reads a partner 997 back: the group and set it acknowledges and their status', () => {
    const sent = parseX12Detail(render940(envelope(RELEASE), OPTIONS));
    const [ack] = acknowledgeGroups(sent, { fileKey: 'k', date: '2024-05-03', time: '0910', strict: true });
    const n = controlNumbers('ful_01HZX:release');
    expect(read997(parseX12(ack?.text ?? ''))).toEqual([expect.objectContaining({
      functionalId: 'OW', groupControlNumber: String(n.group), groupStatus: 'A', sets: [{ type: '940', controlNumber: n.transaction, status: 'A' }], position: '1.1.1',
    })]);
  });
});
