import { describe, expect, it } from 'vitest';
import {
  acknowledgeGroup, build940Segments, parseX12, parseX12Detail, serialize940, serialize997, serializeInterchange,
  X12SerializeError, type Serialize940Options, type ShippingOrder,
} from '../../src/connectors/x12/index.js';
import { documents, fixture, fixtureFiles, transactions } from './x12.support.js';

const ORDER: ShippingOrder = {
  kind: 'warehouse_shipping_order',
  statusCode: 'N',
  orderId: 'ful_0001',
  purchaseOrder: 'PO-77',
  parties: [
    {
      role: 'ST', name: 'Jane Roe', idQualifier: '92', id: 'C1',
      address: { lines: ['1 Main St', 'Apt 2', 'Rear'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
      contacts: [{ function: 'IC', name: 'Jane', channels: { TE: '5551234', EM: 'jane@example.com' } }],
    },
    { role: 'WH', name: 'DC East', address: { lines: [] } },
  ],
  references: [{ qualifier: 'BR', value: 'R1' }],
  dates: [{ qualifier: '10', date: '2024-01-05', timeQualifier: 'Z', time: '1330' }],
  notes: [{ code: 'WHI', text: 'Handle with care' }],
  equipmentCode: 'TF',
  carrier: { paymentMethod: 'PP', transportMethod: 'U', routing: 'UPS GROUND', scac: 'UPSN' },
  lines: [
    { lineNumber: '1', quantity: 2, uom: 'EA', itemIds: { SK: 'SKU-1', UP: '012345678905' }, lot: 'L1', description: 'Widget', references: [{ qualifier: 'LI', value: '1' }] },
    { lineNumber: '2', quantity: 1.5, uom: 'LB', upcCaseCode: '000111222333', itemIds: { SK: 'SKU-2', VN: 'V2', BP: 'B2' }, references: [], packing: { weight: 1.5, weightQualifier: 'G', weightUom: 'L' } },
  ],
  totals: { quantity: 3.5, weight: 3, weightUom: 'LB' },
};

const OPTIONS: Serialize940Options = {
  separators: { element: '*', segment: '~\n', component: '>' },
  sender: { qualifier: 'ZZ', id: 'ORDERLY' },
  receiver: { qualifier: 'ZZ', id: 'WAREHOUSE1' },
  date: '2024-01-02',
  time: '0304',
  interchangeControlNumber: 42,
  groupControlNumber: 7,
  transactionControlNumber: '0001',
};

describe('940 serializer', () => {
  it('writes a deterministic, fixed-width envelope around the order', () => {
    const text = serialize940(ORDER, OPTIONS);
    expect(text).toBe(serialize940(ORDER, OPTIONS));
    expect(text.split('\n')).toEqual([
      'ISA*00*          *00*          *ZZ*ORDERLY        *ZZ*WAREHOUSE1     *240102*0304*U*00401*000000042*0*P*>~',
      'GS*OW*ORDERLY*WAREHOUSE1*20240102*0304*7*X*004010~',
      'ST*940*0001~',
      'W05*N*ful_0001*PO-77~',
      'N1*ST*Jane Roe*92*C1~',
      'N3*1 Main St*Apt 2~',
      'N3*Rear~',
      'N4*Springfield*IL*62701*US~',
      'PER*IC*Jane*TE*5551234*EM*jane@example.com~',
      'N1*WH*DC East~',
      'N4~',
      'N9*BR*R1~',
      'G62*10*20240105*Z*1330~',
      'NTE*WHI*Handle with care~',
      'W09*TF~',
      'W66*PP*U***UPS GROUND*****UPSN~',
      'LX*1~',
      'W01*2*EA**SK*SKU-1*UP*012345678905******L1~',
      'G69*Widget~',
      'N9*LI*1~',
      'LX*2~',
      'W01*1.5*LB*000111222333*SK*SKU-2*VN*V2********BP*B2~',
      'W20****1.5*G*L~',
      'W76*3.5*3*LB~',
      'SE*23*0001~',
      'GE*1*7~',
      'IEA*1*000000042~',
      '',
    ]);
    expect(text.indexOf('~')).toBe(105);
  });

  it('reads back to the same segments and the same document, strict-clean', () => {
    const r = parseX12(serialize940(ORDER, OPTIONS), { strict: true });
    expect(r.errors).toEqual([]);
    const [t] = transactions(r);
    expect(t?.segments).toEqual([['ST', '940', '0001'], ...build940Segments(ORDER), ['SE', '23', '0001']]);
    expect(t?.document).toEqual(ORDER);
  });

  describe.each(fixtureFiles().filter((f) => f.type === '940'))('round-trips the documents of $name', ({ folder, name }) => {
    it.each([
      { element: '*', segment: '~', component: '>' },
      { element: '|', segment: '\r\n', component: '^' },
      { element: '^', segment: '~\r\n', component: ':', repetition: '!' },
    ])('with element %j', (separators) => {
      for (const doc of documents(parseX12(fixture(folder, name)), 'warehouse_shipping_order')) {
        const text = serialize940(doc, { ...OPTIONS, separators, ...(separators.repetition ? { version: '00501' } : {}) });
        const again = parseX12(text, { strict: true });
        expect(again.errors).toEqual([]);
        expect(documents(again, 'warehouse_shipping_order')).toEqual([doc]);
      }
    });
  });

  it.each([
    [{ element: '*', segment: '*', component: '>' }, /separators must differ/],
    [{ element: 'A', segment: '~', component: '>' }, /must be one non-alphanumeric/],
    [{ element: '**', segment: '~', component: '>' }, /must be one non-alphanumeric/],
    [{ element: '*', segment: '~~', component: '>' }, /segment terminator/],
    [{ element: '*', segment: ' ', component: '>' }, /segment terminator/],
  ])('rejects separators %j', (separators, message) => {
    expect(() => serialize940(ORDER, { ...OPTIONS, separators })).toThrow(message);
  });

  it('refuses data that holds a separator instead of writing a corrupt file', () => {
    expect(() => serialize940({ ...ORDER, orderId: 'A*B' }, OPTIONS)).toThrow(new X12SerializeError('W0502 contains the element separator *'));
    expect(() => serialize940({ ...ORDER, notes: [{ text: 'x~y' }] }, OPTIONS)).toThrow('NTE02 contains the segment terminator ~');
    expect(() => serialize940(ORDER, { ...OPTIONS, separators: { element: '*', segment: '~', component: '@' } })).toThrow('PER06 contains the component separator @');
  });

  it('validates the envelope values', () => {
    expect(() => serialize940(ORDER, { ...OPTIONS, interchangeControlNumber: 0 })).toThrow(/interchange control number/);
    expect(() => serialize940(ORDER, { ...OPTIONS, date: '02/01/2024' })).toThrow(/YYYY-MM-DD/);
    expect(() => serialize940(ORDER, { ...OPTIONS, sender: { qualifier: 'ZZ', id: 'A'.repeat(16) } })).toThrow(/longer than 15/);
    expect(() => serialize940(ORDER, { ...OPTIONS, separators: { ...OPTIONS.separators, repetition: '!' } })).toThrow(/00402/);
    const tooMany = { ...ORDER, lines: [{ itemIds: { A1: '1', A2: '2', A3: '3', A4: '4' }, references: [] }] };
    expect(() => serialize940(tooMany, OPTIONS)).toThrow('W01 carries at most 3 product ids, got 4');
  });
});

describe('generic interchange writer', () => {
  it('counts SE01, GE01 and IEA01 itself', () => {
    const text = serializeInterchange({
      sender: { qualifier: 'ZZ', id: 'A' }, receiver: { qualifier: 'ZZ', id: 'B' }, date: '2024-01-02', time: '0304',
      controlNumber: 9, version: '00501',
      groups: [
        { functionalId: 'OW', sender: 'A', receiver: 'B', controlNumber: 1, version: '005010X', transactions: [
          { type: '940', controlNumber: '0001', body: [['W05', 'N', 'X']] },
          { type: '940', controlNumber: '0002', body: [['W05', 'N', 'Y'], ['LX', '1']] },
        ] },
        { functionalId: 'SW', sender: 'A', receiver: 'B', controlNumber: 2, transactions: [] },
      ],
    }, { element: '*', segment: '~', component: ':', repetition: '^' });
    expect(text).toContain('*^*00501*000000009*0*P*:~');
    expect(text).toContain('*1*X*005010X~');
    expect(text).toContain('*2*X*005010~');
    expect(text).toContain('SE*3*0001~');
    expect(text).toContain('SE*4*0002~GE*2*1~');
    expect(text.endsWith('GE*0*2~IEA*2*000000009~')).toBe(true);
    expect(parseX12(text, { strict: true }).errors.filter((e) => e.severity === 'error')).toEqual([]);
  });
});

describe('997 functional acknowledgment', () => {
  const groupOf = (folder: string, name: string, n = 0) => {
    const detail = parseX12Detail(fixture(folder, name));
    const interchange = detail.interchanges[0];
    const group = interchange?.groups[n];
    if (!interchange || !group) throw new Error('fixture has no group');
    return { interchange, group };
  };

  it('accepts a clean group', () => {
    const { group } = groupOf('x12-940', '940.OK.edi');
    expect(acknowledgeGroup(group, { controlNumber: '0001' })).toEqual([
      ['ST', '997', '0001'], ['AK1', 'OW', '3317'], ['AK2', '940', '0001'], ['AK5', 'A'], ['AK9', 'A', '1', '1', '1'], ['SE', '6', '0001'],
    ]);
  });

  it('rejects a set with a wrong SE01 when strict, and notes it when lenient', () => {
    const { group } = groupOf('x12-940', 'x12-types_test_940_3_generalmills-new.edi');
    expect(acknowledgeGroup(group, { controlNumber: '1', strict: true }).slice(2, 5)).toEqual([
      ['AK2', '940', '43110001'], ['AK5', 'R', '4'], ['AK9', 'R', '1', '1', '0'],
    ]);
    expect(acknowledgeGroup(group, { controlNumber: '1' }).slice(3, 5)).toEqual([['AK5', 'E', '4'], ['AK9', 'E', '1', '1', '1']]);
  });

  it('reports group trailer defects and duplicate set control numbers', () => {
    const simplot = groupOf('x12-940', 'simplot.txt').group;
    expect(acknowledgeGroup(simplot, { controlNumber: '1', strict: true }).at(-2)).toEqual(['AK9', 'R', '1', '1', '0', '4']);
    const blanket = groupOf('x12-850', 'x12.850.issue135.edi').group;
    expect(acknowledgeGroup(blanket, { controlNumber: '1' }).filter((s) => s[0] === 'AK5')).toEqual([['AK5', 'A'], ['AK5', 'E', '23']]);
    const missingGe = parseX12Detail('ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*0304*U*00401*000000001*0*P*>~GS*OW*A*B*20240102*0304*5*X*004010~ST*940*0001~W05*N*X~SE*3*0001~IEA*1*000000001~');
    const g = missingGe.interchanges[0]?.groups[0];
    expect(g && acknowledgeGroup(g, { controlNumber: '1' }).at(-2)).toEqual(['AK9', 'E', '1', '1', '1', '3']);
  });

  it('acknowledges each group of a multi-group interchange', () => {
    const { group } = groupOf('x12-940', 'MultipleInterchangesAndGroups.edi');
    expect(acknowledgeGroup(group, { controlNumber: '1' }).filter((s) => s[0] === 'AK2' || s[0] === 'AK9')).toEqual([
      ['AK2', '940', '0001'], ['AK2', '940', '0002'], ['AK9', 'A', '2', '2', '2'],
    ]);
  });

  it('sends the 997 back to the sender in its own interchange', () => {
    const { interchange, group } = groupOf('x12-856', 'Example4.txt');
    const text = serialize997(interchange, group, {
      controlNumber: '0001', separators: { element: '*', segment: '~', component: '>' },
      date: '2024-01-02', time: '0304', interchangeControlNumber: 1, groupControlNumber: 1,
    });
    const r = parseX12(text, { strict: true });
    expect(r.errors).toEqual([{ severity: 'warning', segment: 3, message: '997 0001: no canonical mapping for transaction set 997' }]);
    expect(r.interchanges[0]).toMatchObject({ sender: 'RECEIVERID', receiver: '787347434', groups: [{ functionalId: 'FA' }] });
    expect(transactions(r)[0]?.segments).toContainEqual(['AK1', 'SH', '414']);
    expect(text.startsWith('ISA*00*          *00*          *12*RECEIVERID     *01*787347434      *')).toBe(true);
  });

  it('cannot acknowledge a group that had no GS', () => {
    const { group } = groupOf('x12-945', 'x12-types_render_945_simplot-st-only.edi');
    expect(() => acknowledgeGroup(group, { controlNumber: '1' })).toThrow(X12SerializeError);
  });
});
