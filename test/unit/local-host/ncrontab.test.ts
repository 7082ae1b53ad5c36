import { describe, expect, it } from "vitest";
import { parseNcrontab } from "../../../shared/schedule/ncrontab";

// [expression, after, expected next]; weekdays noted where they matter.
const NEXT_CASES: readonly (readonly [string, string, string])[] = [
  // The project's schedule: Sundays 03:00:00. 2024-01-01 is a Monday.
  ["0 0 3 * * 0", "2024-01-01T00:00:00Z", "2024-01-07T03:00:00Z"],
  ["0 0 3 * * 0", "2024-01-07T02:59:59.999Z", "2024-01-07T03:00:00Z"],
  // Strictly after: exactly on a match, or a few ms past it, moves on to the following one.
  ["0 0 3 * * 0", "2024-01-07T03:00:00Z", "2024-01-14T03:00:00Z"],
  ["0 0 3 * * 0", "2024-01-07T03:00:00.500Z", "2024-01-14T03:00:00Z"],
  ["*/5 * * * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:00:05Z"],
  ["*/5 * * * * *", "2024-01-01T00:00:03.250Z", "2024-01-01T00:00:05Z"],
  ["*/5 * * * * *", "2023-12-31T23:59:58Z", "2024-01-01T00:00:00Z"],
  ["* * * * * *", "2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z"],
  // Weekdays 09:30: Friday → Monday.
  ["0 30 9 * * 1-5", "2024-01-05T09:30:00Z", "2024-01-08T09:30:00Z"],
  ["0 30 9 * * 1-5", "2024-01-08T09:29:59Z", "2024-01-08T09:30:00Z"],
  ["0 0 7,18 * * *", "2024-01-01T07:00:00Z", "2024-01-01T18:00:00Z"],
  ["0 0 7,18 * * *", "2024-01-01T18:00:00Z", "2024-01-02T07:00:00Z"],
  // Month and year rollover; the 31st skips February and 30-day April.
  ["0 0 0 31 * *", "2024-01-31T00:00:00Z", "2024-03-31T00:00:00Z"],
  ["0 0 0 31 * *", "2024-03-31T00:00:00Z", "2024-05-31T00:00:00Z"],
  ["0 0 0 1 1 *", "2024-06-15T12:00:00Z", "2025-01-01T00:00:00Z"],
  ["0 59 23 31 12 *", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z"],
  // Feb 29 only in leap years; 2100 is not one, so 2096 → 2104 is the 8-year worst case.
  ["0 0 0 29 2 *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"],
  ["0 0 12 29 2 *", "2023-02-28T00:00:00Z", "2024-02-29T12:00:00Z"],
  ["0 0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z"],
  // Both day fields restricted → both must match, as in NCrontab: Friday the 13th.
  ["0 0 12 13 * 5", "2024-10-05T00:00:00Z", "2024-12-13T12:00:00Z"],
  ["0 0 12 13 * 5", "2024-12-13T12:00:00Z", "2025-06-13T12:00:00Z"],
  // Only one restricted → that one alone applies.
  ["0 0 12 13 * *", "2024-10-05T00:00:00Z", "2024-10-13T12:00:00Z"],
  ["0 0 12 * * 5", "2024-10-11T12:00:00Z", "2024-10-18T12:00:00Z"],
  // Names, case-insensitive, abbreviated or in full.
  ["0 30 9 * Jan Mon", "2024-01-31T00:00:00Z", "2025-01-06T09:30:00Z"],
  ["0 0 0 1 jul-AUG *", "2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z"],
  ["0 0 0 1 jul-AUG *", "2024-08-01T00:00:00Z", "2025-07-01T00:00:00Z"],
  ["0 0 8 * * sat,SUN", "2024-10-07T00:00:00Z", "2024-10-12T08:00:00Z"],
  ["0 0 8 * * Friday", "2024-10-07T00:00:00Z", "2024-10-11T08:00:00Z"],
  ["0 0 0 1 September *", "2024-01-01T00:00:00Z", "2024-09-01T00:00:00Z"],
  // Feb 29 that is also a Sunday: 2004, then 2032.
  ["0 0 0 29 2 0", "2004-03-01T00:00:00Z", "2032-02-29T00:00:00Z"],
  // Steps: over ranges, from a start value, and steps that do not divide the field.
  ["0 10-40/15 * * * *", "2024-01-01T00:10:00Z", "2024-01-01T00:25:00Z"],
  ["0 10-40/15 * * * *", "2024-01-01T00:40:00Z", "2024-01-01T01:10:00Z"],
  ["0 50/5 * * * *", "2024-01-01T00:50:00Z", "2024-01-01T00:55:00Z"],
  ["0 50/5 * * * *", "2024-01-01T00:55:00Z", "2024-01-01T01:50:00Z"],
  ["0 0 */6 * * *", "2024-01-01T06:00:00Z", "2024-01-01T12:00:00Z"],
  ["*/7 * * * * *", "2024-01-01T00:00:56Z", "2024-01-01T00:01:00Z"],
  ["0 0 0 */10 * *", "2024-01-21T00:00:00Z", "2024-01-31T00:00:00Z"],
  ["0 0 0 */10 * *", "2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z"],
  // `1/3` in day-of-week is Mon,Thu (stops at 6, as in NCrontab), so Thursday → Monday, not Sunday.
  ["0 0 0 * * 1/3", "2024-01-04T00:00:00Z", "2024-01-08T00:00:00Z"],
  // Five fields: no seconds, seconds = 0.
  ["30 9 * * 1-5", "2024-01-05T09:30:00Z", "2024-01-08T09:30:00Z"],
  ["*/15 * * * *", "2024-01-01T00:07:30Z", "2024-01-01T00:15:00Z"],
  ["0 0 1 1 *", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"],
  // Extra whitespace between and around fields.
  ["  0  0 3 * *\t0 ", "2024-01-01T00:00:00Z", "2024-01-07T03:00:00Z"],
];

const INVALID_CASES: readonly (readonly [string, string])[] = [
  ["0 0 25 * * *", 'NCRONTAB "0 0 25 * * *": hour 25 is out of range 0–23'],
  ["", 'NCRONTAB "": expected 6 fields (second minute hour day month day-of-week) or 5 (without seconds), got 0'],
  ["0 0 3 *", "got 4"],
  ["0 0 3 * * 0 2024", "got 7"],
  ["60 * * * * *", "second 60 is out of range 0–59"],
  ["0 60 * * * *", "minute 60 is out of range 0–59"],
  ["0 0 0 0 * *", "day 0 is out of range 1–31"],
  ["0 0 0 32 * *", "day 32 is out of range 1–31"],
  ["0 0 0 * 0 *", "month 0 is out of range 1–12"],
  ["0 0 0 * 13 *", "month 13 is out of range 1–12"],
  ["0 0 0 * * 8", "day-of-week 8 is out of range 0–6"],
  ["0 0 3 * * 7", "day-of-week 7 is out of range 0–6"],
  ["0 0 0 * FOO *", 'month "FOO" is not a number or a name (JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC)'],
  ["0 0 0 * Ju *", 'month "Ju" is not a number or a name'],
  ["0 0 0 * * MON-XYZ", 'day-of-week "XYZ" is not a number or a name (SUN,MON,TUE,WED,THU,FRI,SAT)'],
  ["0 0 MON * * *", 'hour "MON" is not a number'],
  ["*/0 * * * * *", 'second step in "*/0" must be at least 1'],
  ["0 0 10-5 * * *", 'hour range "10-5" runs backwards'],
  ["0 0 1,,2 * * *", 'hour "1,,2" is malformed'],
  ["0 0 -1 * * *", 'hour "-1" is malformed'],
  ["0 0 1.5 * * *", 'hour "1.5" is malformed'],
  ["0 0 1-2-3 * * *", 'hour "1-2-3" is malformed'],
  ["0 0 */x * * *", 'hour "*/x" is malformed'],
  ["0 0 ? * * *", 'hour "?" is malformed'],
];

describe("parseNcrontab", () => {
  it.each(NEXT_CASES)("%j after %s → %s", (expression, after, expected) => {
    const next = parseNcrontab(expression).next(new Date(after));
    expect(next.toISOString()).toBe(new Date(expected).toISOString());
  });

  it.each(INVALID_CASES)("rejects %j", (expression, message) => {
    expect(() => parseNcrontab(expression)).toThrow(message);
  });

  it("throws when nothing matches within 40 years, naming the expression", () => {
    const after = new Date("2024-01-01T00:00:00Z");
    expect(() => parseNcrontab("0 0 0 31 4 *").next(after)).toThrow(
      'NCRONTAB "0 0 0 31 4 *": no matching time within 40 years after 2024-01-01T00:00:00.000Z',
    );
    expect(() => parseNcrontab("0 0 0 30 2 *").next(after)).toThrow("no matching time within 40 years");
    expect(() => parseNcrontab("0 0 0 * * *").next(new Date(Number.NaN))).toThrow("valid date");
  });

  it("leaves `after` untouched and returns whole seconds", () => {
    const after = new Date("2024-01-01T00:00:00.123Z");
    const next = parseNcrontab("* * * * * *").next(after);
    expect(after.toISOString()).toBe("2024-01-01T00:00:00.123Z");
    expect(next.toISOString()).toBe("2024-01-01T00:00:01.000Z");
  });
});

// Each expression with a hand-written predicate (independent of the parser) and a grain in seconds that
// every match is aligned to, so the gaps between results can be scanned for matches that were skipped.
const PROPERTY_CASES: readonly { expression: string; from: string; grain: number; matches: (d: Date) => boolean }[] = [
  { expression: "*/7 * * * * *", from: "2024-01-01T00:00:00Z", grain: 1, matches: (d) => d.getUTCSeconds() % 7 === 0 },
  {
    expression: "0 10-40/15 */6 * JAN,jul *",
    from: "2024-06-30T00:00:00Z",
    grain: 60,
    matches: (d) =>
      d.getUTCSeconds() === 0 && [10, 25, 40].includes(d.getUTCMinutes()) && d.getUTCHours() % 6 === 0 && [0, 6].includes(d.getUTCMonth()),
  },
  {
    expression: "0 30 9 * * 1-5",
    from: "2024-01-01T00:00:00Z",
    grain: 60,
    matches: (d) => d.getUTCSeconds() === 0 && d.getUTCMinutes() === 30 && d.getUTCHours() === 9 && d.getUTCDay() >= 1 && d.getUTCDay() <= 5,
  },
  {
    expression: "0 0 12 13 * 5",
    from: "2024-01-01T00:00:00Z",
    grain: 3600,
    matches: (d) => d.getUTCMinutes() === 0 && d.getUTCHours() === 12 && d.getUTCDate() === 13 && d.getUTCDay() === 5,
  },
  {
    expression: "*/20 8-9 * * sat",
    from: "2024-01-01T00:00:00Z",
    grain: 60,
    matches: (d) => d.getUTCSeconds() === 0 && d.getUTCMinutes() % 20 === 0 && [8, 9].includes(d.getUTCHours()) && d.getUTCDay() === 6,
  },
  {
    expression: "0 0 0 29 2 *",
    from: "2001-01-01T00:00:00Z",
    grain: 86_400,
    matches: (d) => d.getUTCHours() === 0 && d.getUTCMonth() === 1 && d.getUTCDate() === 29,
  },
];

describe("parseNcrontab property: 50 successive next() calls", () => {
  it.each(PROPERTY_CASES)("$expression", ({ expression, from, grain, matches }) => {
    const schedule = parseNcrontab(expression);
    let previous = new Date(from);
    for (let i = 0; i < 50; i++) {
      const next = schedule.next(previous);
      expect(next.getTime()).toBeGreaterThan(previous.getTime());
      expect(next.getUTCMilliseconds()).toBe(0);
      expect(matches(next), next.toISOString()).toBe(true);
      // Nothing matching was skipped between the two.
      for (let t = previous.getTime() + grain * 1000; t < next.getTime(); t += grain * 1000) {
        if (matches(new Date(t))) expect.fail(`${expression}: ${new Date(t).toISOString()} matches but was skipped`);
      }
      previous = next;
    }
  });
});
