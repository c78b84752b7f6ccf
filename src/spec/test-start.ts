/**
 * split.testStart must name an instant: a date-time with an explicit zone. The seed's notebook built its split
 * from a naive datetime and so silently used the machine's local time; segflow refuses the ambiguity.
 *
 * Every unambiguous zoned form of RFC 3339 and of the YAML 1.1 timestamp type is accepted, so a file written back
 * by PyYAML (`2011-11-02 00:00:00+00:00`) or another tool still reads: 'T', 't' or spaces between date and time,
 * 'Z' or 'z', offsets +09:00, +0900, +09 or YAML's +9, optional seconds and fractional seconds, and spaces before
 * the zone (YAML allows `2001-12-14 21:59:43.10 -5`).
 */
const ZONED = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?[ \t]*(?:([Zz])|([+-])(\d{1,2})(?::?(\d{2}))?)$/;
const NAIVE = /^(\d{4}-\d{1,2}-\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/;

export type TestStartCheck = { ok: true; epochSeconds: number } | { ok: false; problem: string };

export function checkTestStart(value: string): TestStartCheck {
  const trimmed = value.trim();
  const m = ZONED.exec(trimmed);
  if (!m) {
    const naive = NAIVE.exec(trimmed);
    if (naive) {
      const [y = '', mo = '', d = ''] = naive[1]!.split('-');
      const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
      const time = naive[2] ? (naive[2].length <= 5 ? `${naive[2].padStart(5, '0')}:00` : naive[2].padStart(8, '0')) : '00:00:00';
      return {
        ok: false,
        problem: `has no time zone, so it would depend on the machine's clock; write ${date}T${time}Z (UTC) or add an offset such as +09:00`,
      };
    }
    return { ok: false, problem: 'must be an ISO-8601 / RFC 3339 date-time with a zone, e.g. 2011-11-02T00:00:00Z or 2011-11-02 00:00:00+00:00' };
  }
  const [, y, mo, d, h, mi, s = '0', frac = '', z, sign, oh = '0', om = '0'] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || Number(oh) > 23 || Number(om) > 59) {
    return { ok: false, problem: `is not a real date-time (${value})` };
  }
  const ms = Number((frac + '000').slice(0, 3));
  const offsetMinutes = z ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  // Date.UTC maps years 0-99 to 1900+; setUTCFullYear keeps the year as written.
  const at = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  at.setUTCFullYear(year);
  return { ok: true, epochSeconds: (at.getTime() - offsetMinutes * 60_000) / 1000 };
}
