import { describe, expect, it } from "vitest";
import { EMPTY_PENDING, RECENT_EVENT_IDS, arrive, take, type Arrival, type PendingState } from "../../../shared/storage/pending-data";

const watcherOf = (n: number) => `newdata-e-${n}`;
const at = (source: string, eventTime: string, eventId = source): Arrival => ({ source, eventId, eventTime });
const count = (s: PendingState, a: Arrival) => arrive(s, a, watcherOf).state ?? s;

describe("arrive", () => {
  it("keeps the blob created last, whatever order the events are handled in", () => {
    let s = count(EMPTY_PENDING, at("blob:c/b", "2026-12-03T09:00:02.000000000Z"));
    s = count(s, at("blob:c/a", "2026-12-03T09:00:01.000000000Z"));
    expect(s).toMatchObject({ seq: 2, waiting: 2, latest: { source: "blob:c/b" }, newest: { source: "blob:c/a" } });
  });

  it("counts a redelivered event once, across a whole 5,000-event batch delivered again", () => {
    let s = EMPTY_PENDING;
    for (let i = 0; i < 5_000; i++) s = count(s, at(`blob:c/${i}`, "2026-12-03T09:00:00.000000000Z", `id-${i}`));
    for (let i = 0; i < 5_000; i++) expect(arrive(s, at(`blob:c/${i}`, "2026-12-03T09:00:00.000000000Z", `id-${i}`), watcherOf).value.duplicate).toBe(true);
    expect(s.seq).toBe(5_000);
    expect(s.recentEventIds.length).toBeLessThanOrEqual(RECENT_EVENT_IDS);
    expect(JSON.stringify(s).length).toBeLessThan(200_000);
  });
});

describe("take", () => {
  it("a later arrival wins over what the run took, even one dated earlier", () => {
    let s = count(EMPTY_PENDING, at("blob:c/taken", "2026-12-03T09:10:00.000000000Z"));
    s = take(s, s.seq);
    expect(s).toMatchObject({ seq: 1, takenSeq: 1, waiting: 0 });
    // Dated before the taken blob (clocks differ by a few minutes): it still waits, and is what the next run trains on.
    s = count(s, at("blob:c/next", "2026-12-03T09:08:00.000000000Z"));
    expect(s).toMatchObject({ waiting: 1, latest: { source: "blob:c/next" } });
  });

  it("what landed between the run's read and its take waits, even when dated earlier than the taken blob", () => {
    let s = count(EMPTY_PENDING, at("blob:c/taken", "2026-12-03T09:10:00.000000000Z"));
    const read = s.seq;
    s = count(s, at("blob:c/meanwhile", "2026-12-03T09:09:00.000000000Z")); // lost to "taken" while it was not taken yet
    expect(s.latest?.source).toBe("blob:c/taken");
    s = take(s, read);
    expect(s).toMatchObject({ seq: 2, takenSeq: 1, waiting: 1, latest: { source: "blob:c/meanwhile" } });
  });

  it("a state written before arrivals kept their seq: what a run took is known when nothing waits", () => {
    const old: PendingState = { ...EMPTY_PENDING, seq: 3, takenSeq: 3, latest: at("blob:c/stale", "2999-01-01T00:00:00Z"), recentEventIds: ["x"] };
    expect(count(old, at("blob:c/new", "2026-12-03T09:00:00.000000000Z")).latest?.source).toBe("blob:c/new");
  });
});
