// The API's length limits, for dom.js limitText / field({max}), and the parsing of the numbers
// advisors type (mileage, amounts): one table for every page of the workspace.

/** The longest text the API takes for each field, in characters (server/src/repair_orders/validation.cpp,
 * offer_service.cpp, auth.cpp, agreements.hpp): one table for every page of the workspace. */
export const LIMITS = {
  number: 32, note: 4000, plate: 16, make: 64, model: 64,
  title: 20, first_name: 100, last_name: 100, company_name: 120, preferred_name: 60,
  label: 200, mechanic_note: 4000, offer_note: 1000,
  username: 40, display_name: 80, api_key_name: 60, agreement_title: 120, agreement_text: 10000,
};

/** "45 210" → 45210; "" → null; anything else → undefined (not a mileage). */
export function parseMileage(text) {
  const s = String(text).replace(/[\s\u00a0\u202f.]/g, '').replace(/km$/i, '');
  if (!s) return null;
  if (!/^\d{1,9}$/.test(s)) return undefined;
  return Number(s);
}

/** "1 234,5 €" or "1234.50" → 123450 cents; "" → null; not an amount → undefined. */
export function parseMoney(text) {
  let s = String(text).replace(/[\s\u00a0\u202f€$£]/g, '').replace(/(EUR|CHF|GBP|USD)$/i, '');
  if (!s) return null;
  // "1.234,56" (thousands with dots) or "1,234.56": the last separator is the decimal one.
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  const dec = Math.max(lastComma, lastDot);
  let intPart = s;
  let frac = '';
  if (dec >= 0 && s.length - dec - 1 <= 2) {
    intPart = s.slice(0, dec);
    frac = s.slice(dec + 1);
  }
  intPart = intPart.replace(/[.,]/g, '');
  if (!/^\d{1,9}$/.test(intPart || '0') || !/^\d{0,2}$/.test(frac)) return undefined;
  return Number(intPart || '0') * 100 + Number(frac.padEnd(2, '0') || '0');
}
