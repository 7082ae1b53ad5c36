import { describe, expect, it } from "vitest";
import { emptyRecord, ownRecord, ownValue } from "../../../shared/own-record";

const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

describe("ownRecord", () => {
  it("keeps every key from parsed JSON, __proto__ included (a {} takes it as its prototype and drops it)", () => {
    const parsed = JSON.parse('{"blue":100,"__proto__":5,"constructor":1,"toString":2}') as Record<string, number>;
    const plain: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) plain[k] = v;
    expect(Object.keys(plain)).not.toContain("__proto__"); // the bug this guards against
    const r = ownRecord(Object.entries(parsed));
    expect(Object.keys(r)).toEqual(["blue", "__proto__", "constructor", "toString"]);
    expect(JSON.stringify(r)).toBe('{"blue":100,"__proto__":5,"constructor":1,"toString":2}');
    expect(Object.getPrototypeOf(r)).toBeNull();
  });

  it("lets a later duplicate win, as Object.fromEntries does", () => {
    expect(ownRecord([["a", 1], ["a", 2]])).toEqual({ a: 2 });
  });
});

describe("emptyRecord", () => {
  it.each(PROTOTYPE_NAMES)("answers nothing for %s it was not given", (name) => {
    const r = emptyRecord<number>();
    expect(r[name]).toBeUndefined();
    expect(name in r).toBe(false);
    r[name] = 7;
    expect(Object.keys(r)).toEqual([name]);
  });
});

describe("ownValue", () => {
  it.each(PROTOTYPE_NAMES)("does not answer %s from Object.prototype of a plain {}", (name) => {
    const plain: Readonly<Record<string, string>> = { output1: ".ilearner" };
    expect(ownValue(plain, name)).toBeUndefined();
  });

  it("answers what the record holds itself, own __proto__ included", () => {
    const parsed = JSON.parse('{"__proto__":"x","output1":".ilearner"}') as Record<string, string>;
    expect(ownValue(parsed, "output1")).toBe(".ilearner");
    expect(ownValue(parsed, "__proto__")).toBe("x");
  });
});
