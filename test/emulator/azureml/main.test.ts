import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const main = path.resolve(__dirname, "../../../dist/emulator/azureml/main.js");

function run(args: string[]) {
  const child = spawn(process.execPath, [main, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, output: () => out, exited };
}

describe("`npm run emulator:azureml`", () => {
  it("starts the local v2 service, prints what the app needs to reach it, answers with that token, and stops on SIGTERM", async () => {
    const r = run(["--port=0", "--endpoints=census-v2,fraud-v2", "--armToken=my-local-token"]);
    try {
      await expect.poll(r.output, { timeout: 30_000 }).toMatch(/Press Ctrl\+C to stop/);
      const arm = /AZUREML_ARM_URL\): +(\S+)/.exec(r.output())![1]!;
      const ws = /AZUREML_WORKSPACE_ID\): +(\S+)/.exec(r.output())![1]!;
      expect(r.output()).toMatch(/online endpoint "fraud-v2": scoring http:\/\/127\.0\.0\.1:\d+\/score\/fraud-v2/);
      const get = (token: string) => fetch(`${arm}${ws}/onlineEndpoints/fraud-v2?api-version=2025-12-01`, { headers: { Authorization: `Bearer ${token}` } });
      expect((await get("my-local-token")).status).toBe(200);
      expect((await get("local-arm-token-change-me")).status).toBe(401);
    } finally {
      r.child.kill("SIGTERM");
    }
    expect(await r.exited).toBe(0);
  });

  it("refuses a bad flag by name before starting anything", async () => {
    for (const [flag, message] of [["--port=-1", /port must be a non-negative integer, got "-1"/], ["--endpoints=a", /endpoints must be online endpoint names/], ["--colour=blue", /Unknown argument "--colour=blue"/]] as const) {
      const r = run([flag]);
      expect(await r.exited).toBe(1);
      expect(r.output()).toMatch(message);
    }
  });
});
