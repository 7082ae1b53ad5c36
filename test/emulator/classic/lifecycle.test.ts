import { spawn } from "node:child_process";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { startTestEmulator, upload, waitForJob } from "../../support/emulator";
import { adultSample } from "../../support/census";
import { workspaceContainerName } from "../../../emulator/classic/emulator";
import { getEndpoint } from "../../support/rrs-client";

describe("emulator lifecycle", () => {
  it("keeps its workspace across restarts: endpoints, keys and served models survive", async () => {
    const workspaceId = randomUUID().replace(/-/g, "");
    const first = await startTestEmulator({ workspaceId });
    const put = await first.call("PUT", `${first.endpointsUrl}/kept`, first.config.managementToken, { Description: "survives" });
    expect(put.status).toBe(201);
    const before = await getEndpoint(first, "kept");
    await first.stop();
    const second = await startTestEmulator({ workspaceId });
    try {
      const after = await getEndpoint(second, "kept");
      expect(after.PrimaryKey).toBe(before.PrimaryKey);
      expect(after.Resources).toEqual(before.Resources);
    } finally {
      await second.stop();
    }
  });

  it("keeps jobs across restarts, each in a record of its own: a finished job keeps its results, a submitted one can still be started", async () => {
    const workspaceId = randomUUID().replace(/-/g, "");
    const first = await startTestEmulator({ workspaceId });
    const c = await first.container();
    await upload(c, "input.csv", adultSample(300));
    const conn = first.storageConnectionString;
    const body = {
      Inputs: { input1: { ConnectionString: conn, RelativeLocation: `${c.containerName}/input.csv` } },
      Outputs: {
        output1: { ConnectionString: conn, RelativeLocation: `${c.containerName}/out/model.ilearner` },
        output2: { ConnectionString: conn, RelativeLocation: `${c.containerName}/out/evaluation.csv` },
      },
      GlobalParameters: {},
    };
    const key = first.config.trainingApiKey;
    const url = (suffix = "") => `${first.besBase}/jobs${suffix}?api-version=2.0`;
    const finished = (await first.call("POST", url(), key, body)).body as string;
    expect((await first.call("POST", url(`/${finished}/start`), key)).status).toBe(204);
    const done = await waitForJob(first, finished);
    const waiting = (await first.call("POST", url(), key, body)).body as string;
    await first.stop();
    // One document per job in the workspace's container, not one document holding them all.
    const records: string[] = [];
    for await (const b of first.blobs.getContainerClient(workspaceContainerName(workspaceId)).listBlobsFlat({ prefix: "jobs/" })) records.push(b.name);
    expect(records.sort()).toEqual([`jobs/${finished}.json`, `jobs/${waiting}.json`].sort());

    const second = await startTestEmulator({ workspaceId });
    try {
      const again = (await second.call("GET", `${second.besBase}/jobs/${finished}?api-version=2.0`, key)).body as Record<string, unknown>;
      expect(again.StatusCode).toBe("Finished");
      // the same outputs; their SAS tokens are issued afresh on each GET (the contract's SAS refresh),
      // so they differ once a second has passed
      const locations = (r: unknown) => Object.fromEntries(Object.entries(r as Record<string, { SasBlobToken?: string }>).map(([k, { SasBlobToken: _, ...at }]) => [k, at]));
      expect(locations(again.Results)).toEqual(locations(done.Results));
      expect(((await second.call("GET", `${second.besBase}/jobs/${waiting}?api-version=2.0`, key)).body as Record<string, unknown>).StatusCode).toBe("NotStarted");
      expect((await second.call("POST", `${second.besBase}/jobs/${waiting}/start?api-version=2.0`, key)).status).toBe(204);
      expect((await waitForJob(second, waiting)).StatusCode).toBe("Finished");
    } finally {
      await second.stop();
    }
  });

  it("`npm run emulator`'s program starts its own Azurite, prints where it serves, answers, and stops on SIGTERM", async () => {
    const main = path.resolve(__dirname, "../../../dist/emulator/classic/main.js");
    const child = spawn(process.execPath, [main, "--servicesPort=0", "--managementPort=0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Press Ctrl\+C to stop/);
      const management = /Management API base: (\S+)/.exec(out)![1]!;
      expect(out).toMatch(/BES \/ RRS base: +http:\/\/127\.0\.0\.1:\d+/);
      expect(out).toMatch(/Workspace id: +00000000000000000000000000000001/);
      expect(out).not.toMatch(/AccountKey=(?!\[REDACTED\])/);
      const r = await fetch(`${management}/workspaces/00000000000000000000000000000001/webservices/d0000000000000000000000000000001/endpoints`, {
        headers: { Authorization: "Bearer local-management-token-change-me" },
      });
      expect(r.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("refuses a bad setting by name before starting anything", async () => {
    const main = path.resolve(__dirname, "../../../dist/emulator/classic/main.js");
    const child = spawn(process.execPath, [main, "--maxConcurrentJobs=zero"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AML_EMULATOR_STORAGE_CONNECTION_STRING: inject("azuriteConnectionString") },
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/maxConcurrentJobs .* must be a non-negative integer, got "zero"/);
  });

  it("Azurite started for a process that is SIGKILLed exits too, freeing its port", async () => {
    const azurite = path.resolve(__dirname, "../../../dist/emulator/azurite.js");
    const code = `require(${JSON.stringify(azurite)}).startAzurite().then((a) => console.log("BLOB " + a.blobEndpoint))`;
    const owner = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    owner.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await expect.poll(() => out, { timeout: 30_000 }).toMatch(/BLOB http:\/\/127\.0\.0\.1:\d+/);
    const blob = /BLOB (\S+)/.exec(out)![1]!;
    expect((await fetch(`${blob}?comp=list`)).status).toBe(403); // up (and refusing anonymous access)
    owner.kill("SIGKILL");
    await expect.poll(async () => fetch(`${blob}?comp=list`).then(() => "up", () => "gone"), { timeout: 15_000, interval: 200 }).toBe("gone");
  });
});
