// NCRONTAB schedules for the local timer trigger, so it fires when Azure Functions would.
// Format: {second} {minute} {hour} {day} {month} {day-of-week}; the 5-field form (no seconds) is
// accepted as Azure does, with seconds = 0. All times are UTC (Azure's default WEBSITE_TIME_ZONE).

export interface Schedule {
  readonly expression: string;
  /** The first matching instant strictly after `after`, at whole-second precision. */
  next(after: Date): Date;
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Where `*` and an open step `a/n` stop, when below max. */
  readonly top?: number;
  /** Names for min, min+1, …; any prefix of 3+ letters matches, case-insensitively (JAN, Jan, January). */
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"] },
  // 0–6 as in NCrontab, which rejects 7: an expression that works here must deploy to Azure too.
  { name: "day-of-week", min: 0, max: 6, top: 6, names: ["SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"] },
];

// The rarest satisfiable schedule is Feb 29 on a given weekday (the day fields are ANDed), which
// can be 40 years apart (the 28-year cycle is broken by 2100 not being a leap year).
const SEARCH_YEARS = 40;

// One list item: `*`, a value, or a range, optionally with a step. Values may be numbers or names.
const ITEM = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/([0-9]+))?$/i;

export function parseNcrontab(expression: string): Schedule {
  const fail = (why: string) => new Error(`NCRONTAB "${expression}": ${why}`);
  const tokens = expression.trim().split(/\s+/).filter((t) => t !== "");
  if (tokens.length === 5) tokens.unshift("0");
  else if (tokens.length !== 6) {
    throw fail(`expected 6 fields (second minute hour day month day-of-week) or 5 (without seconds), got ${tokens.length}`);
  }
  const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, i) => parseField(tokens[i] ?? "", spec, fail)) as [
    number[], number[], number[], number[], number[], number[],
  ];
  const dows = new Set(weekdays);
  // NCrontab (what Azure uses) ANDs the two day fields, unlike classic cron:
  // `0 0 0 13 * 5` is Friday the 13th, not every 13th plus every Friday.
  const dayMatches = (y: number, m: number, d: number): boolean =>
    days.includes(d) && dows.has(new Date(Date.UTC(y, m - 1, d)).getUTCDay());

  return {
    expression,
    next(after: Date): Date {
      if (Number.isNaN(after.getTime())) throw fail("next() needs a valid date");
      const limit = new Date(after);
      limit.setUTCFullYear(limit.getUTCFullYear() + SEARCH_YEARS);
      // Strictly after: begin at the next whole second, even when `after` is itself a match.
      let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
      // Check coarse-to-fine; on a miss jump to the start of the next candidate unit (carrying into the
      // enclosing unit when none is left), so each step skips whole months, days, hours or minutes.
      while (t <= limit.getTime()) {
        const now = new Date(t);
        const [y, mo, d, h, mi, s] = [now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate(), now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds()];
        if (!months.includes(mo)) {
          const m = following(months, mo);
          t = m === undefined ? Date.UTC(y + 1, 0, 1) : Date.UTC(y, m - 1, 1);
        } else if (!dayMatches(y, mo, d)) {
          t = Date.UTC(y, mo - 1, d + 1); // Date.UTC normalises the 32nd etc. into the next month
        } else if (!hours.includes(h)) {
          const n = following(hours, h);
          t = n === undefined ? Date.UTC(y, mo - 1, d + 1) : Date.UTC(y, mo - 1, d, n);
        } else if (!minutes.includes(mi)) {
          const n = following(minutes, mi);
          t = n === undefined ? Date.UTC(y, mo - 1, d, h + 1) : Date.UTC(y, mo - 1, d, h, n);
        } else if (!seconds.includes(s)) {
          const n = following(seconds, s);
          t = n === undefined ? Date.UTC(y, mo - 1, d, h, mi + 1) : Date.UTC(y, mo - 1, d, h, mi, n);
        } else {
          return now;
        }
      }
      throw fail(`no matching time within ${SEARCH_YEARS} years after ${after.toISOString()}`);
    },
  };
}

/** The smallest allowed value above `v` (the list is sorted). */
function following(allowed: readonly number[], v: number): number | undefined {
  return allowed.find((a) => a > v);
}

/** Expands one field to its sorted allowed values, or throws naming the field and the bad part. */
function parseField(text: string, spec: FieldSpec, fail: (why: string) => Error): number[] {
  const { name, min, max, names, top = max } = spec;
  const value = (token: string): number => {
    let n = Number(token);
    if (!/^[0-9]+$/.test(token)) {
      // NCrontab accepts any prefix of a name; 3+ letters keeps that without ambiguous ones like "Ju".
      const i = token.length < 3 ? -1 : (names ?? []).findIndex((full) => full.startsWith(token.toUpperCase()));
      if (i < 0) throw fail(`${name} "${token}" is not ${names ? `a number or a name (${names.map((x) => x.slice(0, 3)).join(",")})` : "a number"}`);
      n = i + min;
    }
    if (n < min || n > max) throw fail(`${name} ${n} is out of range ${min}–${max}`);
    return n;
  };
  const allowed = new Set<number>();
  for (const item of text.split(",")) {
    const match = ITEM.exec(item);
    if (!match) throw fail(`${name} "${text}" is malformed (expected *, n, a-b, a,b or a step like */n)`);
    const [, range = "", stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw fail(`${name} step in "${item}" must be at least 1`);
    let [lo, hi] = [min, top];
    if (range !== "*") {
      const [a = "", b] = range.split("-");
      lo = value(a);
      // A bare value with a step (`a/n`) runs to the field's end, as in NCrontab.
      hi = b !== undefined ? value(b) : stepText !== undefined ? Math.max(top, lo) : lo;
      if (lo > hi) throw fail(`${name} range "${range}" runs backwards`);
    }
    for (let v = lo; v <= hi; v += step) allowed.add(v);
  }
  return [...allowed].sort((x, y) => x - y);
}
