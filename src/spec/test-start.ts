/**
 * split.testStart must name an instant: a date-time with an explicit zone. The seed's notebook built its split
 * from a naive datetime and so silently used the machine's local time; segflow refuses the ambiguity.
 */
const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/;
const ISO_DATE_OR_NAIVE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

export type TestStartCheck = { ok: true; epochSeconds: number } | { ok: false; problem: string };

export function checkTestStart(value: string): TestStartCheck {
  const m = ISO_WITH_ZONE.exec(value);
  if (!m) {
    if (ISO_DATE_OR_NAIVE.test(value)) {
      const date = value.slice(0, 10);
      const time = value.length > 10 ? value.slice(11) : '00:00:00';
      return { ok: false, problem: `has no time zone, so it would depend on the machine's clock; write ${date}T${time.length === 5 ? time + ':00' : time}Z (UTC) or add an offset such as +09:00` };
    }
    return { ok: false, problem: 'must be an ISO-8601 date-time with a zone, e.g. 2011-11-02T00:00:00Z' };
  }
  const [, y, mo, d, h, mi, s = '0', , , oh = '0', om = '0'] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || Number(oh) > 23 || Number(om) > 59) {
    return { ok: false, problem: `is not a real date-time (${value})` };
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return { ok: false, problem: `is not a real date-time (${value})` };
  return { ok: true, epochSeconds: ms / 1000 };
}
