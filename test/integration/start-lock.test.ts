import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { BlobLeaseStartLock } from "../../shared/storage/start-lock";

/** The start lock against Azurite: one holder at a time per name, free again once released. */
const lock = () => new BlobLeaseStartLock(BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(`locks-${randomUUID()}`));

describe("BlobLeaseStartLock", () => {
  it("lets one of ten racing holders in (even from separate clients, as separate hosts), and the next after it is done", async () => {
    const container = `locks-${randomUUID()}`;
    const clients = Array.from({ length: 10 }, () => new BlobLeaseStartLock(BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(container)));
    let inside = 0;
    let most = 0;
    let refused = 0;
    // The holder keeps the lock until the other nine have been answered (bounded), so on a slow
    // machine no contender can arrive after it let go and take the lock in turn.
    const holdUntilAllAnswered = async () => {
      for (const end = Date.now() + 10_000; refused < clients.length - 1 && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
    };
    const results = await Promise.all(clients.map((l, i) => l.exclusive("retrain-retrain", async () => {
      most = Math.max(most, ++inside);
      await holdUntilAllAnswered();
      inside--;
      return i;
    }).then((r) => (r.held || refused++, r))));
    expect(refused).toBe(clients.length - 1);
    expect(results.filter((r) => r.held)).toHaveLength(1);
    expect(most).toBe(1);
    expect(await clients[0]!.exclusive("retrain-retrain", () => Promise.resolve("again"))).toEqual({ held: true, value: "again" });
  });

  it("keeps names apart, and frees the lock when the holder fails", async () => {
    const l = lock();
    const [a, b] = await Promise.all([l.exclusive("retrain-a", () => Promise.resolve("a")), l.exclusive("retrain-b", () => Promise.resolve("b"))]);
    expect([a, b]).toEqual([{ held: true, value: "a" }, { held: true, value: "b" }]);
    await expect(l.exclusive("retrain-a", () => Promise.reject(new Error("settling failed")))).rejects.toThrow("settling failed");
    expect(await l.exclusive("retrain-a", () => Promise.resolve(1))).toEqual({ held: true, value: 1 });
  });
});
