// The queries operators rely on (the workbook, the alert rules, the ad hoc queries in docs/operations.md)
// against the telemetry the app really sends: complete runs through the local host with the
// real Application Insights SDK exporting to a capturing ingestion endpoint, then every query
// parsed and analysed by Kusto.Language against the Application Insights tables, and every event
// name, metric name, customDimensions key and customMeasurements key it reads found in what
// arrived. Renaming a property in the code without updating a query fails here.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as appInsights from "applicationinsights";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { startIngestionSink, type IngestionSink, type StoredItem } from "../support/ingestion-sink";
import { waitFor } from "../security/world";
import { ROOT, read, workbookQueries } from "./infra-text";
import { analyseKql, kustoBlocks, matches, type QueryAnalysis } from "./kql";

const INSTANCE = "retrain-retrain";
/** Each query with Kusto.Language's analysis of it, done once. */
const queries: { where: string; a: QueryAnalysis }[] = [
  ...workbookQueries(JSON.parse(read("infra/monitoring/workbook.json"))).map((kql, i) => ({ where: `workbook.json query #${i + 1}`, kql })),
  ...readdirSync(join(ROOT, "infra/monitoring/alerts")).filter((f) => f.endsWith(".kql")).map((f) => ({ where: `alerts/${f}`, kql: read(join("infra/monitoring/alerts", f)) })),
  ...kustoBlocks(read("docs/operations.md")).map((kql, i) => ({ where: `docs/operations.md kusto block #${i + 1}`, kql })),
].map(({ where, kql }) => ({ where, a: analyseKql(kql) }));

/** What a run of each kind emits between them; the queries must read nothing else. */
const EXPECTED_EVENTS = [
  "RetrainStarted", "DataStaged", "DataChecked", "DataRejected", "JobSubmitted", "JobFinished", "JobFailed", "GatePassed", "GateRejected", "ModelPromoted",
  "PromotionVerified", "VerificationFailed", "ModelRolledBack", "RetrainCompleted", "RetrainFailed", "EndpointHealth",
];

const EXPECTED_METRICS = ["Evaluation auc", "Champion auc", "Job duration seconds"];

let sink: IngestionSink;
let p: HostedPipeline;
let items: StoredItem[];

async function run(body: unknown, faults: unknown = {}) {
  await p.emulator.admin("DELETE", "faults");
  await p.emulator.admin("POST", "faults", faults);
  expect((await p.call("POST", "/api/retrain", body)).status).toBe(202);
  return p.engine.waitUntilEnded(INSTANCE);
}

beforeAll(async () => {
  sink = await startIngestionSink();
  p = await startHostedPipeline({
    speed: 200,
    settings: { APPLICATIONINSIGHTS_CONNECTION_STRING: sink.connectionString, RETRAIN_GATE: "AUC>=0.8", VERIFY_DELAY_SECONDS: "30", JOB_DEADLINE_MINUTES: "20" },
  });
  // data the checks refuse (no label column); promoted; rejected by the gate; promoted but not served, so rolled back
  writeFileSync(join(p.values.RETRAIN_DATA_ROOT!, "no-label.csv"), "age,hours-per-week\n39,40\n50,13\n");
  expect((await run({ dataSource: "no-label.csv" })).customStatus).toMatchObject({ result: "data-rejected" });
  expect((await run({})).status).toBe("Completed");
  expect((await run({ gate: "AUC>=0.999" })).customStatus).toMatchObject({ result: "rejected" });
  expect((await run({}, { patchIgnored: { count: 1 } })).customStatus).toMatchObject({ result: "failed" });
  // a scheduled run whose job fails
  await p.emulator.admin("POST", "faults", { failJobs: ["ModuleExecutionError: out of memory"] });
  await p.host.tick("retrainSchedule");
  await p.engine.waitUntilEnded("retrain-schedule");
  expect((await p.engine.instance(INSTANCE))?.customStatus).toMatchObject({ result: "failed" });
  await p.emulator.admin("DELETE", "faults");
  await p.host.tick("retrainHealth");
  // The exporter batches (metrics every 60 s): flush the app's client, then wait until all has arrived.
  await appInsights.defaultClient.flush();
  const arrived = () => EXPECTED_EVENTS.every((n) => sink.items().some((i) => i.table === "customEvents" && i.name === n)) &&
    EXPECTED_METRICS.every((n) => sink.items().some((i) => i.table === "customMetrics" && i.name === n));
  await waitFor(() => Promise.resolve(arrived()), true, 90_000);
  items = sink.items();
}, 180_000);

afterAll(async () => {
  await p?.stop();
  await sink?.close();
});

/** The captured items a query's name filters select (every item of its table when it has none). */
function selected(a: QueryAnalysis): StoredItem[] {
  const ofTable = items.filter((i) => i.table === a.tables[0]);
  return a.names.length === 0 ? ofTable : ofTable.filter((i) => a.names.some((ref) => matches(ref, i.name)));
}

describe("telemetry as Application Insights receives it ↔ the workbook, the alerts and the queries in docs/operations.md", () => {
  it("captured the runs' real export: events with customDimensions and customMeasurements, metrics with dimensions", () => {
    expect(queries.length).toBeGreaterThanOrEqual(12);
    expect(new Set(items.filter((i) => i.table === "customEvents").map((i) => i.name))).toEqual(expect.objectContaining({ size: EXPECTED_EVENTS.length }));
    const completed = items.find((i) => i.name === "RetrainCompleted" && i.customDimensions.result === "promoted")!;
    expect(completed.customDimensions).toMatchObject({ endpoint: "retrain", trigger: "http" });
    expect(completed.customMeasurements.totalSeconds).toBeGreaterThan(0);
    const health = items.find((i) => i.name === "EndpointHealth")!;
    expect(health.customDimensions).toMatchObject({ endpoint: "retrain", lastResult: "failed" });
    // the promoted run is the last decided one; the rejection after it started a streak that the failure ended
    expect(health.customMeasurements).toMatchObject({ rejectedInARow: 0, runsRead: 5 });
    expect(health.customMeasurements.daysSinceLastSuccess).toBeLessThan(1);
    expect(items.find((i) => i.name === "Job duration seconds")?.customDimensions).toMatchObject({ endpoint: "retrain" });
  });

  it.each(queries)("$where parses and type-checks against the Application Insights tables", ({ a }) => {
    expect(a.diagnostics).toEqual([]);
    expect(a.tables, "reads exactly one of customEvents and customMetrics").toHaveLength(1);
    expect(a.uncheckedNameUses, "compares `name` in a way this check cannot follow").toEqual([]);
  });

  it.each(queries)("$where reads only names, dimensions and measurements the app sends", ({ a }) => {
    const missing: string[] = [];
    for (const ref of a.names) if (!items.some((i) => i.table === a.tables[0] && matches(ref, i.name))) missing.push(`${a.tables[0]} name ${ref.kind === "prefix" ? "startswith " : "== "}"${ref.value}"`);
    const chosen = selected(a);
    for (const key of a.dimensions) if (!chosen.some((i) => key in i.customDimensions)) missing.push(`customDimensions.${key}`);
    for (const key of a.measurements) if (!chosen.some((i) => key in i.customMeasurements)) missing.push(`customMeasurements.${key}`);
    for (const suffix of a.suffixes) if (!chosen.some((i) => Object.keys({ ...i.customDimensions, ...i.customMeasurements }).some((k) => k.endsWith(suffix)))) missing.push(`a key ending "${suffix}"`);
    expect(missing, `none of the ${chosen.length} items the query selects carries these`).toEqual([]);
  });
});
