import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToMinor, parseX12, serializeInterchange, type Segment, type Separators } from '../../src/connectors/x12/index.js';
import { fixture, fixtureFiles, transactions } from './x12.support.js';

const ENVELOPE_IDS = new Set(['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE']);
const segmentId = fc
  .tuple(fc.constantFrom(...'ABCDGLMNPQRTWXZ'), fc.stringMatching(/^[A-Z0-9]{1,2}$/))
  .map(([a, b]) => a + b)
  .filter((id) => !ENVELOPE_IDS.has(id));
/** Data characters that are never separators below; `>` is the canonical component separator. */
const element = fc.string({ unit: fc.constantFrom(...'AZaz09 .-/#>'), maxLength: 8 });
const body = fc.array(fc.tuple(segmentId, fc.array(element, { maxLength: 6 })).map(([id, els]): Segment => [id, ...els]), { maxLength: 12 });

const separators: fc.Arbitrary<Separators> = fc
  .record({
    element: fc.constantFrom('*', '|', '~', '^', '!', '+', '\u001d'),
    segment: fc.constantFrom('~', '\n', '\r\n', '~\n', '~\r\n', '}', "'", '\u001c'),
    component: fc.constantFrom('>', ':', '\\', '|', '^', '\u001f'),
    repetition: fc.option(fc.constantFrom('^', '!', '{'), { nil: undefined }),
  })
  .map((s): Separators => (s.repetition === undefined ? { element: s.element, segment: s.segment, component: s.component } : s))
  .filter((s) => {
    const chars = [s.element, s.component, s.segment[0] === '\r' || s.segment[0] === '\n' ? '\n' : s.segment[0], s.repetition ?? '\n\n'];
    return new Set(chars).size === chars.length;
  });

/** What the parser must return for a written segment: trailing empty elements are dropped. */
const trimmed = (s: Segment): Segment => {
  const out = [...s];
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
};

describe('properties', () => {
  it('serialize → parse returns the same segments for any safe content and separators', () => {
    fc.assert(
      fc.property(body, separators, fc.integer({ min: 1, max: 999_999_999 }), (segments, seps, control) => {
        const text = serializeInterchange({
          sender: { qualifier: 'ZZ', id: 'SENDER' }, receiver: { qualifier: 'ZZ', id: 'RECEIVER' },
          date: '2024-02-29', time: '2359', controlNumber: control, version: seps.repetition ? '00501' : '00401',
          groups: [{ functionalId: 'OW', sender: 'S', receiver: 'R', controlNumber: control, transactions: [{ type: '940', controlNumber: '0001', body: segments }] }],
        }, seps);
        const r = parseX12(text, { strict: true });
        const [t] = transactions(r);
        expect(t?.segments).toEqual([['ST', '940', '0001'], ...segments.map(trimmed), ['SE', String(segments.length + 2), '0001']]);
        expect(r.errors.filter((e) => e.severity === 'error')).toEqual([]);
        expect(r.interchanges[0]?.controlNumber).toBe(String(control).padStart(9, '0'));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text, and strict and lenient agree on the content', () => {
    const x12ish = fc
      .array(fc.constantFrom('ISA', 'GS', 'ST', 'SE', 'GE', 'IEA', 'HL', 'W05', '*', '~', '>', '\n', '\r\n', ' ', '\uFEFF', '00', '940', '000000001', '…', '}'), { maxLength: 60 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), x12ish), (text) => {
        const lenient = parseX12(text);
        const strict = parseX12(text, { strict: true });
        expect(strict.interchanges).toEqual(lenient.interchanges);
        expect(strict.errors.map((e) => e.message)).toEqual(lenient.errors.map((e) => e.message));
      }),
      { numRuns: 250 },
    );
  });

  it('never throws on damaged real files (cut, duplicated or spliced bytes)', () => {
    const texts = fixtureFiles().map((f) => fixture(f.folder, f.name));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: texts.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 5 })), { minLength: 1, maxLength: 4 }),
        (which, edits) => {
          let text = texts[which] ?? '';
          for (const [at, cut, insert] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + insert + text.slice(i + cut);
          }
          const r = parseX12(text, { strict: true });
          expect(Array.isArray(r.errors)).toBe(true);
          expect(() => JSON.stringify(r)).not.toThrow();
        },
      ),
      { numRuns: 250 },
    );
  });

  it('decimal prices convert to minor units exactly, rounding half away from zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 9_999_999n }),
        fc.stringMatching(/^\d{0,6}$/),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (int, frac, exponent, negative) => {
          const text = `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
          const scaled = BigInt(`${int}${frac.padEnd(exponent, '0').slice(0, exponent)}`);
          const rest = frac.slice(exponent);
          const magnitude = scaled + ((rest[0] ?? '0') >= '5' ? 1n : 0n);
          const expected = Number(negative && magnitude !== 0n ? -magnitude : magnitude);
          expect(decimalToMinor(text, exponent)).toEqual({ minor: expected, exact: !/[1-9]/.test(rest) });
        },
      ),
      { numRuns: 500 },
    );
  });
});
