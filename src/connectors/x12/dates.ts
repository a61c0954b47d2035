/** X12 dates are CCYYMMDD (GS04, DTM, G62, BEG05…) or YYMMDD (ISA09); we carry ISO `YYYY-MM-DD`. */

const valid = (y: number, m: number, d: number): boolean =>
  m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();

/** `20111212` → `2011-12-12`; undefined when it is not a real calendar date. */
export function isoDate(ccyymmdd: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(ccyymmdd);
  if (!m) return undefined;
  const [, y = '', mo = '', d = ''] = m;
  return valid(Number(y), Number(mo), Number(d)) ? `${y}-${mo}-${d}` : undefined;
}

/** ISA09 `101127` → `2010-11-27`; two-digit years pivot at 70 (69 → 2069, 70 → 1970). */
export function isoDateFromShortYear(yymmdd: string): string | undefined {
  const m = /^(\d{2})(\d{4})$/.exec(yymmdd);
  if (!m) return undefined;
  const yy = Number(m[1]);
  return isoDate(`${yy < 70 ? 2000 + yy : 1900 + yy}${m[2] ?? ''}`);
}

/** `2011-12-12` → `20111212`; anything else is returned unchanged (it was carried raw). */
export const x12Date = (iso: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso.replaceAll('-', '') : iso);
