// `npm run bench` ends here: every benchmark's rows from bench/results/*.json in one ratio table.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { formatRows, type BenchReport } from "./report";

const dir = path.resolve(__dirname, "..", "..", "bench", "results");
const order = ["stage", "copy", "waiting", "fan-out", "training", "azurite"];
const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
const reports = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as BenchReport & { date: string })
  // older result files (before bench/report.ts) have no ratio rows
  .filter((r) => Array.isArray(r.rows) && r.rows.every((x) => typeof (x as { ratio?: unknown }).ratio === "number"))
  .sort((a, b) => rank(a.name) - rank(b.name));
console.log("\n=== Summary: project figure ÷ baseline measured in the same run ===");
for (const r of reports) {
  console.log(`\n[${r.name}] ${r.date}`);
  console.log(formatRows(r.rows));
}
const targets = reports.flatMap((r) => r.rows.filter((x) => x.met !== undefined).map((x) => ({ ...x, bench: r.name })));
const missed = targets.filter((t) => !t.met);
console.log(`\nTargets: ${targets.length - missed.length} of ${targets.length} met${missed.length ? `; missed: ${missed.map((m) => `${m.bench}: ${m.case}`).join("; ")}` : ""}`);
