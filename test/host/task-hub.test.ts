import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HUB_NAME_SETTING, taskHubName } from "../../local-host/host";

function hostJson(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "retrainer-hub-")), "host.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("the task hub the local host keeps its Durable state under", () => {
  it("is host.json's extensions.durableTask.hubName, as the project's host.json sets it", () => {
    expect(taskHubName({})).toBe("retrainer");
    expect(taskHubName({}, hostJson({ extensions: { durableTask: { hubName: "otherHub1" } } }))).toBe("otherHub1");
  });

  it("is overridden by the app setting Azure uses for host.json values", () => {
    expect(taskHubName({ [HUB_NAME_SETTING]: "kill1234" })).toBe("kill1234");
  });

  it("refuses a name the Durable extension would refuse, naming where it came from", () => {
    expect(() => taskHubName({ [HUB_NAME_SETTING]: "my-hub" })).toThrow(/Task hub name "my-hub" is invalid: 3 to 45 letters and digits.*AzureFunctionsJobHost__extensions__durableTask__hubName/);
    expect(() => taskHubName({}, hostJson({ extensions: { durableTask: { hubName: "1hub" } } }))).toThrow(/"1hub" is invalid.*host\.json/);
  });
});
