// Operator console benchmark: `npm run bench:console` (`node dist/bench/console.js [--endpoints=200]
// [--runs=1000] [--requests=20] [--baseline-repeats=3] [--small=20x100|off]`).
// The console's overview (GET /api/console) and an endpoint's page (GET /api/console/endpoints/{name})
// over a run history of 200 endpoints × 1,000 runs in Azurite, served by the local Functions host:
// each page's time (median and p95 of `--requests` sequential views after warm-up, to the last
// byte), its size as a browser gets it (gzip) and unzipped, and the storage requests it makes,
// counted by a proxy in front of Azurite. The baseline, in the same run: the same overview put
// together from today's API, one `GET /api/runs?endpoint=…&limit=100` per endpoint (the runs a
// summary is computed from), 6 at a time as a browser would. A second, smaller history
// (`--small`, 20 endpoints × 100 runs) shows whether a page's storage requests grow with
// endpoints or runs. Each history runs in a child process of its own (the app's settings are
// read once per process), with its own in-memory Azurite.
import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { odata, TableClient, type TransactionAction } from "@azure/data-tables";
import { startAzurite } from "../emulator/azurite";
import { SUMMARY_PARTITION } from "../shared/history/keys";
import { startLocalHost } from "../local-host/host";
import { readLocalSettings } from "../local-host/settings";
import { GATE, inParallel, seedHistory, type SeedResult } from "./console-history";
import { report, type BenchRow } from "./report";

const CHILD = "--bench-child";
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const TARGET_MS = 300;
const TARGET_GZIP_BYTES = 250 * 1024;
/** A browser opens at most 6 connections to one host over HTTP/1.1. */
const BROWSER_CONNECTIONS = 6;
/** Above this many runs, the `~all` and `~run` rows are sharded (console-history.ts says why). */
const EXACT_LAYOUT_MAX_RUNS = 20_000;
const KEY = "bench-console-key-0123456789";
const FUNCTION_KEY = "bench-function-key";

interface Job {
  readonly endpoints: number;
  readonly runs: number;
  readonly requests: number;
  readonly warmup: number;
  readonly baselineRepeats: number;
}

/** One storage request as the proxy saw it. */
interface Hit {
  readonly service: "blob" | "queue" | "table";
  readonly what: string;
  readonly ms: number;
  /** Response body bytes. */
  readonly bytes: number;
}

interface Sample {
  readonly ms: number;
  /** Body bytes as sent (gzip when the page was compressed). */
  readonly wireBytes: number;
  readonly bytes: number;
  readonly hits: readonly Hit[];
}

interface Measured {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly wireBytes: number;
  readonly bytes: number;
  readonly gzip: boolean;
  /** Storage requests per view (the median view's; `varies` says whether any view differed). */
  readonly reads: number;
  readonly readsVary: boolean;
  readonly readsByService: Readonly<Record<string, number>>;
  readonly storageMedianMs: number;
  readonly requests: readonly string[];
  readonly samplesMs: readonly number[];
}

export interface ChildResult {
  readonly job: Job;
  readonly seed: SeedResult;
  readonly endpointShown: string;
  readonly overview: Measured & { readonly rows: number };
  readonly endpointPage: Measured & { readonly rows: number };
  readonly baselineOverview: Measured & { readonly calls: number };
  readonly baselineEndpoint: Measured;
  /** The overview's first view once the summary rows are gone (as after an upgrade): it writes them all. */
  readonly backfill: { readonly ms: number; readonly reads: number; readonly readBytes: number };
  readonly idleStorageRequests: number;
  readonly azuriteRssMiB: number;
}

// ---- measuring (child) ----

/** Forwards one Azurite service on a loopback port, noting every request and how long it took upstream. */
async function recordingProxy(service: Hit["service"], target: URL, hits: Hit[]): Promise<{ url: string; close: () => void }> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      let bytes = 0;
      r.on("data", (c: Buffer) => (bytes += c.length));
      r.pipe(res);
      r.on("end", () => hits.push({ service, what: describe(req.method ?? "", req.url ?? ""), ms: performance.now() - t0, bytes }));
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => (server.closeAllConnections(), server.close(), agent.destroy()) };
}

/** A storage request in a few words: a Table query's filter, a point read's keys, else method and path. */
function describe(method: string, url: string): string {
  const u = new URL(url, "http://x");
  const filter = u.searchParams.get("$filter");
  if (filter) return `${method} query ${filter}${u.searchParams.get("$top") ? ` top ${u.searchParams.get("$top")}` : ""}`;
  const point = /\((PartitionKey='[^']*',\s*RowKey='[^']*')\)$/.exec(decodeURIComponent(u.pathname));
  if (point) return `${method} point ${point[1]}`;
  return `${method} ${decodeURIComponent(u.pathname)}`;
}

interface Response { status: number; headers: http.IncomingHttpHeaders; wire: Buffer; body: Buffer }

function request(agent: http.Agent, base: string, method: string, p: string, headers: Record<string, string>, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const wire = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, wire, body: res.headers["content-encoding"] === "gzip" ? gunzipSync(wire) : wire });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

/** `warmup` untimed views, then `n` sequential timed ones, each with the storage requests made during it. */
async function measure(n: number, warmup: number, hits: Hit[], view: () => Promise<{ wireBytes: number; bytes: number }>): Promise<Measured & { readonly gzip: boolean }> {
  for (let i = 0; i < warmup; i++) await view();
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const from = hits.length;
    const t0 = performance.now();
    const r = await view();
    const ms = performance.now() - t0;
    // A proxied answer is noted when its last byte has passed: by now, for every request the view made.
    samples.push({ ms, ...r, hits: hits.slice(from) });
  }
  const reads = samples.map((s) => s.hits.length);
  const mid = samples.find((s) => s.hits.length === percentile(reads, 50))!;
  const byService: Record<string, number> = {};
  for (const h of mid.hits) byService[h.service] = (byService[h.service] ?? 0) + 1;
  const counts = new Map<string, number>();
  for (const h of mid.hits) counts.set(h.what, (counts.get(h.what) ?? 0) + 1);
  return {
    medianMs: percentile(samples.map((s) => s.ms), 50), p95Ms: percentile(samples.map((s) => s.ms), 95),
    wireBytes: mid.wireBytes, bytes: mid.bytes, gzip: mid.wireBytes < mid.bytes,
    reads: mid.hits.length, readsVary: new Set(reads).size > 1, readsByService: byService,
    storageMedianMs: percentile(samples.map((s) => s.hits.reduce((a, h) => a + h.ms, 0)), 50),
    requests: [...counts.entries()].map(([w, c]) => (c > 1 ? `${c} × ${w}` : w)).slice(0, 12),
    samplesMs: samples.map((s) => Math.round(s.ms * 10) / 10),
  };
}

/** A port nothing listens on: the ML service URLs point there (the pages never call the service). */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function runChild(job: Job): Promise<ChildResult> {
  const log = (l: string) => process.stderr.write(`[${job.endpoints}×${job.runs}] ${l}\n`);
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), "bench-console-"));
  // 200,000 records of ~8 KB are kept twice (the endpoint's copy and the ~all one): over 3 GB in
  // Azurite's memory. In memory, not in a folder: persisting serializes the whole database into
  // one string, which V8 caps at 512 MB.
  const nodeOptions = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${nodeOptions ?? ""} --max-old-space-size=16384`.trim();
  const azurite = await startAzurite({});
  if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = nodeOptions;
  const hits: Hit[] = [];
  const proxies: { close: () => void }[] = [];
  let stopHost = (): Promise<void> => Promise.resolve();
  try {
    const endpoints = Array.from({ length: job.endpoints }, (_, i) => `census-${String(i).padStart(3, "0")}`);
    const table = "benchconsoleruns";
    log(`seeding ${(job.endpoints * job.runs).toLocaleString("en")} runs…`);
    const seed = await seedHistory({ connectionString: azurite.connectionString, table, endpoints, runs: job.runs, exact: job.endpoints * job.runs <= EXACT_LAYOUT_MAX_RUNS, parallel: 4, log });
    log(`seeded in ${((seed.writeMs + seed.summaryMs) / 1000).toFixed(1)} s (${seed.layout} layout)`);

    let proxied = azurite.connectionString;
    for (const service of ["blob", "queue", "table"] as const) {
      const name = `${service[0]!.toUpperCase()}${service.slice(1)}Endpoint`;
      const target = new URL(new RegExp(`${name}=([^;]+)`).exec(azurite.connectionString)![1]!);
      const proxy = await recordingProxy(service, target, hits);
      proxies.push(proxy);
      proxied = proxied.replace(new RegExp(`${name}=http://[^/;]+`), `${name}=${proxy.url}`);
    }
    const ml = `http://127.0.0.1:${await closedPort()}`;
    const sample = readLocalSettings(path.resolve(__dirname, "..", "..", "local.settings.sample.json")).Values;
    const host = await startLocalHost({
      values: {
        ...sample, AzureWebJobsStorage: proxied, STAGING_STORAGE_CONNECTION_STRING: proxied, HISTORY_TABLE: table,
        AML_SERVICES_URL: ml, AML_MANAGEMENT_URL: ml, RETRAIN_DATA_ROOT: dataRoot, RETRAIN_GATE: GATE,
        RETRAIN_ENDPOINTS: endpoints.join(","), RETRAIN_CONSOLE_KEY: KEY, RETRAIN_CONSOLE_SECRET: "bench-console-secret-0123456789abcdef",
      },
      functionKey: FUNCTION_KEY, schedules: false, hubName: "benchconsole", log: () => undefined,
    });
    stopHost = () => host.stop();
    const agent = new http.Agent({ keepAlive: true, maxSockets: BROWSER_CONNECTIONS });
    const login = await request(agent, host.url, "POST", "/api/console/login", { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin" }, `key=${encodeURIComponent(KEY)}`);
    const cookie = String(login.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
    if (login.status !== 303 || !cookie) throw new Error(`sign-in failed: ${login.status} ${login.body.toString().slice(0, 300)}`);
    const browser = { Cookie: cookie, "Accept-Encoding": "gzip, deflate, br", Accept: "text/html" };

    // Nothing should touch storage while nobody asks: checked over a second, before any view.
    const idleFrom = hits.length;
    await new Promise((r) => setTimeout(r, 1_000));
    const idleStorageRequests = hits.length - idleFrom;

    let overviewRows = 0;
    const overview = await measure(job.requests, job.warmup, hits, async () => {
      const r = await request(agent, host.url, "GET", "/api/console", browser);
      if (r.status !== 200) throw new Error(`overview: ${r.status} ${r.body.toString().slice(0, 300)}`);
      overviewRows = r.body.toString().split("<tr data-endpoint=").length - 1;
      return { wireBytes: r.wire.length, bytes: r.body.length };
    });
    log(`overview: median ${overview.medianMs.toFixed(1)} ms, ${overview.reads} storage requests`);
    const shown = endpoints[Math.floor(endpoints.length / 2)]!;
    let endpointRows = 0;
    const endpointPage = await measure(job.requests, job.warmup, hits, async () => {
      const r = await request(agent, host.url, "GET", `/api/console/endpoints/${shown}`, browser);
      if (r.status !== 200) throw new Error(`endpoint page: ${r.status} ${r.body.toString().slice(0, 300)}`);
      endpointRows = r.body.toString().split("<tr data-run=").length - 1;
      return { wireBytes: r.wire.length, bytes: r.body.length };
    });
    log(`endpoint page: median ${endpointPage.medianMs.toFixed(1)} ms, ${endpointPage.reads} storage requests`);

    // The baseline: what a page built on today's API would fetch, through the same front.
    const api = { "x-functions-key": FUNCTION_KEY, "Accept-Encoding": "gzip, deflate, br" };
    const apiGet = async (p: string) => {
      const r = await request(agent, host.url, "GET", p, api);
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${r.body.toString().slice(0, 300)}`);
      return r;
    };
    const baselineOverview = await measure(job.baselineRepeats, 1, hits, async () => {
      let wireBytes = 0;
      let bytes = 0;
      await inParallel(endpoints, BROWSER_CONNECTIONS, async (e) => {
        const r = await apiGet(`/api/runs?endpoint=${encodeURIComponent(e)}&limit=100`);
        wireBytes += r.wire.length;
        bytes += r.body.length;
      });
      return { wireBytes, bytes };
    });
    log(`baseline overview: median ${baselineOverview.medianMs.toFixed(1)} ms, ${baselineOverview.reads} storage requests`);
    const baselineEndpoint = await measure(job.requests, job.warmup, hits, async () => {
      const r = await apiGet(`/api/runs?endpoint=${encodeURIComponent(shown)}&limit=50`);
      return { wireBytes: r.wire.length, bytes: r.body.length };
    });

    // The summary rows gone, as on the first view after summaries were introduced: the overview computes and writes each.
    const rowsTable = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
    const summaryRows: TransactionAction[] = [];
    for await (const row of rowsTable.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${SUMMARY_PARTITION}`, select: ["RowKey"] } })) summaryRows.push(["delete", { partitionKey: SUMMARY_PARTITION, rowKey: row.rowKey! }]);
    for (let i = 0; i < summaryRows.length; i += 100) await rowsTable.submitTransaction(summaryRows.slice(i, i + 100));
    const b0 = hits.length;
    const t0 = performance.now();
    const first = await request(agent, host.url, "GET", "/api/console", browser);
    if (first.status !== 200) throw new Error(`overview without summaries: ${first.status}`);
    const backfillHits = hits.slice(b0);
    const backfill = { ms: performance.now() - t0, reads: backfillHits.filter((x) => x.what.startsWith("GET")).length, readBytes: backfillHits.reduce((a, x) => a + x.bytes, 0) };
    log(`overview without summary rows: ${backfill.ms.toFixed(0)} ms, ${backfillHits.length} storage requests`);

    agent.destroy();
    const { execFileSync } = await import("node:child_process");
    const azuriteRssMiB = Number(execFileSync("ps", ["-o", "rss=", "-p", String(azurite.pid)]).toString().trim()) / 1024;
    return {
      job, seed, endpointShown: shown, idleStorageRequests, backfill, azuriteRssMiB,
      overview: { ...overview, rows: overviewRows }, endpointPage: { ...endpointPage, rows: endpointRows },
      baselineOverview: { ...baselineOverview, calls: endpoints.length }, baselineEndpoint,
    };
  } finally {
    await stopHost();
    for (const p of proxies) p.close();
    await azurite.stop();
    await rm(dataRoot, { recursive: true, force: true });
  }
}

// ---- reporting (parent) ----

function inChild(job: Job): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const cp = fork(__filename, [CHILD], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    let result: ChildResult | undefined;
    let failure: string | undefined;
    cp.on("message", (m: { ready?: true; result?: ChildResult; error?: string }) => {
      if (m.ready) cp.send(job);
      if (m.result) result = m.result;
      if (m.error) failure = m.error;
    });
    cp.on("exit", (code) => (result ? resolve(result) : reject(new Error(failure ?? `the benchmark's child exited with code ${code}`))));
  });
}

const kb = (bytes: number) => bytes / 1024;
const history = (j: Job) => `${j.endpoints} endpoints × ${j.runs.toLocaleString("en")} runs`;

async function main(): Promise<void> {
  const job: Job = {
    endpoints: Number(arg("endpoints", "200")), runs: Number(arg("runs", "1000")), requests: Number(arg("requests", "20")),
    warmup: Number(arg("warmup", "3")), baselineRepeats: Number(arg("baseline-repeats", "3")),
  };
  const smallArg = arg("small", "20x100");
  const small = smallArg === "off" ? undefined : { ...job, endpoints: Number(smallArg.split("x")[0]), runs: Number(smallArg.split("x")[1]) };
  const big = await inChild(job);
  const little = small ? await inChild(small) : undefined;

  const h = history(job);
  const o = big.overview;
  const e = big.endpointPage;
  const bo = big.baselineOverview;
  const be = big.baselineEndpoint;
  const baselineIs = `${bo.calls} × GET /api/runs?endpoint=…&limit=100, ${BROWSER_CONNECTIONS} at a time`;
  const rows: BenchRow[] = [
    { case: `overview, median (${h})`, unit: "ms", project: o.medianMs, baseline: bo.medianMs, baselineIs, ratio: o.medianMs / bo.medianMs, target: `≤ ${TARGET_MS} ms`, met: o.medianMs <= TARGET_MS },
    { case: `overview, p95 (${h})`, unit: "ms", project: o.p95Ms, baseline: bo.p95Ms, baselineIs, ratio: o.p95Ms / bo.p95Ms, target: `≤ ${TARGET_MS} ms`, met: o.p95Ms <= TARGET_MS },
    { case: `endpoint page, median (${h})`, unit: "ms", project: e.medianMs, baseline: be.medianMs, baselineIs: "GET /api/runs?endpoint=…&limit=50", ratio: e.medianMs / be.medianMs, target: `≤ ${TARGET_MS} ms`, met: e.medianMs <= TARGET_MS },
    { case: `endpoint page, p95 (${h})`, unit: "ms", project: e.p95Ms, baseline: be.p95Ms, baselineIs: "GET /api/runs?endpoint=…&limit=50", ratio: e.p95Ms / be.p95Ms, target: `≤ ${TARGET_MS} ms`, met: e.p95Ms <= TARGET_MS },
    { case: "overview: of which waiting on storage, median", unit: "ms", project: o.storageMedianMs, baseline: bo.storageMedianMs, baselineIs: "the baseline's storage time (summed)", ratio: o.storageMedianMs / bo.storageMedianMs },
    { case: "endpoint page: of which waiting on storage, median", unit: "ms", project: e.storageMedianMs, baseline: be.storageMedianMs, baselineIs: "the baseline's storage time", ratio: e.storageMedianMs / be.storageMedianMs },
    { case: "overview: gzip bytes on the wire", unit: "KB", project: kb(o.wireBytes), baseline: kb(bo.wireBytes), baselineIs: "the baseline's JSON (sent uncompressed)", ratio: o.wireBytes / bo.wireBytes, target: "≤ 250 KB", met: o.wireBytes <= TARGET_GZIP_BYTES && o.gzip },
    { case: "endpoint page: gzip bytes on the wire", unit: "KB", project: kb(e.wireBytes), baseline: kb(be.wireBytes), baselineIs: "the baseline's JSON (sent uncompressed)", ratio: e.wireBytes / be.wireBytes, target: "≤ 250 KB", met: e.wireBytes <= TARGET_GZIP_BYTES && e.gzip },
    { case: "overview: HTML unzipped", unit: "KB", project: kb(o.bytes), baseline: kb(bo.bytes), baselineIs: "the baseline's JSON", ratio: o.bytes / bo.bytes },
    { case: "endpoint page: HTML unzipped", unit: "KB", project: kb(e.bytes), baseline: kb(be.bytes), baselineIs: "the baseline's JSON", ratio: e.bytes / be.bytes },
  ];
  if (little) {
    const ls = history(little.job);
    rows.push(
      { case: `overview: storage requests per view (${h})`, unit: "requests", project: o.reads, baseline: little.overview.reads, baselineIs: `the same page, ${ls}`, ratio: o.reads / little.overview.reads, target: "same with 10× the endpoints and runs", met: o.reads === little.overview.reads && !o.readsVary },
      { case: `endpoint page: storage requests per view (${h})`, unit: "requests", project: e.reads, baseline: little.endpointPage.reads, baselineIs: `the same page, ${ls}`, ratio: e.reads / little.endpointPage.reads, target: "same with 10× the runs", met: e.reads === little.endpointPage.reads && !e.readsVary },
      { case: `overview, median (${ls})`, unit: "ms", project: little.overview.medianMs, baseline: little.baselineOverview.medianMs, baselineIs: `${little.baselineOverview.calls} × GET /api/runs?endpoint=…&limit=100`, ratio: little.overview.medianMs / little.baselineOverview.medianMs },
      { case: `endpoint page, median (${ls})`, unit: "ms", project: little.endpointPage.medianMs, baseline: little.baselineEndpoint.medianMs, baselineIs: "GET /api/runs?endpoint=…&limit=50", ratio: little.endpointPage.medianMs / little.baselineEndpoint.medianMs },
    );
  }
  rows.push({ case: `overview, first view with no summary rows (${h})`, unit: "ms", project: big.backfill.ms, baseline: bo.medianMs, baselineIs, ratio: big.backfill.ms / bo.medianMs });
  rows.push({ case: "overview: storage requests per view vs the baseline", unit: "requests", project: o.reads, baseline: bo.reads, baselineIs, ratio: o.reads / bo.reads, target: "not one per endpoint", met: o.reads < job.endpoints });

  const seedS = (big.seed.writeMs + big.seed.summaryMs) / 1000;
  const notes = [
    `seeding ${big.seed.records.toLocaleString("en")} runs (${big.seed.entities.toLocaleString("en")} entities, ${big.seed.batches.toLocaleString("en")} batches, records ${(big.seed.recordBytes.mean / 1024).toFixed(1)} KB on average) took ${seedS.toFixed(0)} s: ${(big.seed.writeMs / 1000).toFixed(0)} s of batches and ${(big.seed.summaryMs / 1000).toFixed(0)} s for ${job.endpoints} refreshSummary calls; Azurite then held ${Math.round(big.azuriteRssMiB)} MiB.${seedS > 600 ? " That is over 10 minutes: --runs=N (e.g. --runs=200) scales the history down." : ""}`,
    `layout: ${big.seed.layout}${big.seed.layout === "sharded" ? ": each endpoint's ~all and ~run rows sit in partitions ~all-NNN and ~run-NNN, not in one ~all and one ~run partition, because Azurite's inserts into one partition are quadratic (bench/console-history.ts); the pages never read those partitions, and the number and size of entities Azurite scans are the same" : ""}.`,
    `storage requests counted: every request to Azurite's table, blob and queue services (a proxy in front of each, the app's only connection string). The Durable part of the pages (the runs in progress: getStatusBy) is answered by the local engine from memory, so it makes none here; in Azure it is one query of the task hub's Instances table. Idle: ${big.idleStorageRequests} requests in 1 s with nobody viewing.`,
    `overview with no summary rows (first view after an upgrade): ${big.backfill.reads} storage reads, ${(big.backfill.readBytes / 1048576).toFixed(1)} MiB read, ${big.backfill.ms.toFixed(0)} ms, in that one request.`,
    `overview: ${o.requests.join("; ")} (${o.rows} endpoint rows). Endpoint page (${big.endpointShown}): ${e.requests.join("; ")} (${e.rows} run rows). Baseline overview: ${bo.reads} requests.`,
    "Azurite answers every query by scanning every entity in the table (LokiJS where()), so its query time grows with the whole table, whatever the partition; Azure's does not (a partition's rows are found by key). The storage rows show how much of each page that is.",
  ];
  await report({ name: "console", rows, notes, details: { big, ...(little ? { small: little } : {}) } });
}

if (process.argv.includes(CHILD)) {
  process.on("message", (job: Job) => {
    runChild(job).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (e: unknown) => process.send!({ error: e instanceof Error ? e.stack ?? e.message : String(e) }, () => process.exit(1)),
    );
  });
  process.send!({ ready: true });
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
