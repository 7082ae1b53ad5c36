import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lockStateDir, readConnection, writeConnectionFile } from "../../../local-host/state-dir";

const folder = () => mkdtempSync(path.join(tmpdir(), "retrainer-state-unit-"));
const OTHER_PID = 999_999;

describe("lockStateDir", () => {
  it("takes a free folder and gives it back", () => {
    const dir = folder();
    const lock = lockStateDir(dir, "npm start");
    expect(JSON.parse(readFileSync(path.join(dir, "lock"), "utf8"))).toEqual({ pid: process.pid, program: "npm start" });
    lock.release();
    expect(existsSync(path.join(dir, "lock"))).toBe(false);
  });

  it("refuses a folder a live program holds, naming it, its pid and (for serve) its URL", () => {
    const dir = folder();
    writeFileSync(path.join(dir, "lock"), JSON.stringify({ pid: OTHER_PID, program: "npm run serve" }));
    writeFileSync(path.join(dir, "connection.json"), JSON.stringify({ url: "http://127.0.0.1:7071", functionKey: "k", pid: OTHER_PID }));
    expect(() => lockStateDir(dir, "npm start", () => true)).toThrow(
      `${dir} is in use by npm run serve (pid ${OTHER_PID}) on http://127.0.0.1:7071: two programs on one state folder would each start an Azurite on its files and corrupt them.`,
    );
    // Nothing of the holder's is touched.
    expect(JSON.parse(readFileSync(path.join(dir, "lock"), "utf8"))).toMatchObject({ pid: OTHER_PID });
  });

  it("takes over a lock whose program is gone (killed), and a garbled one", () => {
    const dir = folder();
    writeFileSync(path.join(dir, "lock"), JSON.stringify({ pid: OTHER_PID, program: "npm start" }));
    lockStateDir(dir, "npm run serve", () => false).release();
    writeFileSync(path.join(dir, "lock"), "{half");
    lockStateDir(dir, "npm run serve", () => true).release();
    expect(existsSync(path.join(dir, "lock"))).toBe(false);
  });

  it("release leaves a lock another program took since alone", () => {
    const dir = folder();
    const lock = lockStateDir(dir, "npm start");
    writeFileSync(path.join(dir, "lock"), JSON.stringify({ pid: OTHER_PID, program: "npm run serve" }));
    lock.release();
    expect(existsSync(path.join(dir, "lock"))).toBe(true);
  });
});

describe("writeConnectionFile", () => {
  it("writes the URL, key and pid readable by this user only, even over a wider file, and removes its own", () => {
    const dir = folder();
    const file = path.join(dir, "connection.json");
    writeFileSync(file, "{}", { mode: 0o644 });
    const c = { url: "http://127.0.0.1:7071", functionKey: "key", pid: process.pid };
    const remove = writeConnectionFile(dir, c);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readConnection(dir)).toEqual(c);
    remove();
    expect(existsSync(file)).toBe(false);
  });

  it("removal leaves another serve's file alone", () => {
    const dir = folder();
    const remove = writeConnectionFile(dir, { url: "http://127.0.0.1:1", functionKey: "a", pid: process.pid });
    writeConnectionFile(dir, { url: "http://127.0.0.1:2", functionKey: "b", pid: OTHER_PID });
    remove();
    expect(readConnection(dir)?.pid).toBe(OTHER_PID);
  });
});
