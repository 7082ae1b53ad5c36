import { odata, TableClient } from "@azure/data-tables";
import type { RunRecord } from "./run-record";
import { classifyTableError, invalidArgument, tableErrorCode } from "./history-error";
import { ALL_PARTITION, DELIVERY_PARTITION, INDEX_PARTITION, SUMMARY_PARTITION, WATCH_PARTITION, checkKey, endpointPartition, timeKey } from "./keys";
import { fitRecord, fromProperties, toProperties } from "./record-entity";
import { SUMMARY_RUNS, advance, summarize, type EndpointSummary } from "./endpoint-summary";

export interface ListRunsOptions {
  /** Only this endpoint's runs (case-insensitive); every endpoint's when omitted. */
  readonly endpoint?: string;
  /** 1–500, default 50; larger values are capped at 500. */
  readonly limit?: number;
  /** From the previous page; only valid for the same endpoint filter. */
  readonly continuationToken?: string;
}

export interface RunPage {
  readonly runs: RunRecord[];
  /** Present only when more runs follow. */
  readonly continuationToken?: string;
}

/** One attempt to tell a webhook about a run (shared/notify/delivery.ts), as `GET /api/runs/{id}` shows it. */
export interface DeliveryRecord {
  readonly runId: string;
  readonly event: string;
  /** The webhook's position in the endpoint's list, and how it is shown (origin and path start only). */
  readonly webhook: number;
  readonly target: string;
  readonly format: string;
  readonly attempt: number;
  readonly at: string;
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
  readonly durationInMs: number;
  /** Set on the last attempt when no more will follow and it was not delivered. */
  readonly gaveUp?: boolean;
}

interface IndexEntry {
  readonly partition: string;
  readonly row: string;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** The audit trail of retraining runs in Azure Table storage; key design in ./keys. */
export class RunHistoryClient {
  /** The caller picks the credential: a connection string locally, DefaultAzureCredential in Azure. */
  constructor(readonly table: TableClient) {}

  static fromConnectionString(connectionString: string, tableName: string): RunHistoryClient {
    try {
      // Azurite speaks plain http, over which the SDK refuses to send a key unless told it may.
      const local = TableClient.fromConnectionString(connectionString, tableName).url.startsWith("http:");
      return new RunHistoryClient(TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection: local }));
    } catch {
      // The SDK's message is not repeated: it could quote part of the string, key included.
      throw invalidArgument("connect", "Run history: the Table storage connection string is malformed; it needs AccountName with AccountKey (or SharedAccessSignature) and a TableEndpoint or EndpointSuffix.");
    }
  }

  async init(): Promise<void> {
    // createTable already ignores "TableAlreadyExists".
    await this.call("init", () => this.table.createTable());
  }

  /**
   * Writes the run (a later write of the same runId replaces it). A record too large for one
   * entity is stored shortened; `truncated` says so.
   */
  async upsert(record: RunRecord): Promise<{ truncated: boolean }> {
    const runId = checkKey("upsert", "runId", record.runId);
    const at: IndexEntry = { partition: endpointPartition("upsert", record.endpoint), row: timeKey("upsert", record.startedAt, runId) };
    const { record: stored, truncated } = fitRecord(record);
    const props = toProperties(stored);
    const previous = await this.index("upsert", runId);
    const put = (partitionKey: string, rowKey: string, p: object) =>
      this.call("upsert", () => this.table.upsertEntity({ partitionKey, rowKey, ...p }, "Replace"));
    // Records first, index last: until the index points at them, get() still finds the old copy.
    await Promise.all([put(at.partition, at.row, props), put(ALL_PARTITION, at.row, props)]);
    await put(INDEX_PARTITION, runId, at);
    // A changed endpoint or start time moves the run; the old copies would otherwise list twice.
    if (previous && (previous.partition !== at.partition || previous.row !== at.row)) {
      await Promise.all([this.remove(previous.partition, previous.row), this.remove(ALL_PARTITION, previous.row)]);
    }
    await this.updateSummary(record);
    return { truncated };
  }

  /**
   * The endpoint's overview row after this record: one point read and one conditional write when
   * the record is the endpoint's newest (a run ending), else recomputed from its runs. A writer
   * that loses the race to another recomputes, so the row ends holding both.
   */
  private async updateSummary(record: RunRecord): Promise<void> {
    const row = endpointPartition("summary", record.endpoint);
    const found = await this.read("summary", SUMMARY_PARTITION, row);
    const next = advance(typeof found?.summary === "string" ? parseSummary(found.summary) : undefined, record, new Date().toISOString());
    if (!next || typeof found?.etag !== "string") {
      await this.refreshSummary(record.endpoint);
      return;
    }
    try {
      await this.table.updateEntity({ partitionKey: SUMMARY_PARTITION, rowKey: row, summary: JSON.stringify(next) }, "Replace", { etag: found.etag });
    } catch (e) {
      const { statusCode, code } = tableErrorCode(e);
      if (statusCode !== 412 && code !== "UpdateConditionNotSatisfied") throw classifyTableError("summary", e);
      await this.refreshSummary(record.endpoint);
    }
  }

  /**
   * Rewrites the endpoint's overview row from its newest runs (one query, one write). Each write
   * recomputes from the table, so two writers at once end with the later one's view of both.
   */
  async refreshSummary(endpoint: string): Promise<EndpointSummary> {
    const partition = endpointPartition("summary", endpoint);
    const { runs } = await this.list({ endpoint, limit: SUMMARY_RUNS });
    const summary = summarize(endpoint, runs, new Date().toISOString());
    await this.call("summary", () => this.table.upsertEntity({ partitionKey: SUMMARY_PARTITION, rowKey: partition, summary: JSON.stringify(summary) }, "Replace"));
    return summary;
  }

  /**
   * Every endpoint's overview row: one query, whatever the number of runs. Rows are at most a few
   * KB; 5,000 endpoints is the most read.
   */
  async summaries(): Promise<EndpointSummary[]> {
    return this.call("summaries", async () => {
      const found: EndpointSummary[] = [];
      for await (const e of this.table.listEntities<{ summary: string }>({ queryOptions: { filter: odata`PartitionKey eq ${SUMMARY_PARTITION}` } })) {
        const parsed = parseSummary(e.summary);
        if (parsed) found.push(parsed);
        if (found.length >= 5_000) break;
      }
      return found;
    });
  }

  /** One endpoint's overview row (a point read), if any of its runs was recorded since summaries began. */
  async summary(endpoint: string): Promise<EndpointSummary | undefined> {
    const e = await this.read("summary", SUMMARY_PARTITION, endpointPartition("summary", endpoint));
    return typeof e?.summary === "string" ? parseSummary(e.summary) : undefined;
  }

  /** The run, or undefined when none was recorded under this id. */
  async get(runId: string): Promise<RunRecord | undefined> {
    const at = await this.index("get", checkKey("get", "runId", runId));
    if (!at) return undefined;
    const entity = await this.read("get", ALL_PARTITION, at.row);
    return entity && fromProperties(entity);
  }

  /** Newest first, by start time. */
  async list(options: ListRunsOptions = {}): Promise<RunPage> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw invalidArgument("list", `Run history: limit must be a positive integer, not ${limit}.`);
    const take = Math.min(limit, MAX_LIMIT);
    const partition = options.endpoint === undefined ? ALL_PARTITION : endpointPartition("list", options.endpoint);
    const after = options.continuationToken === undefined ? undefined : decodeToken(options.continuationToken, partition);
    const filter = after === undefined ? odata`PartitionKey eq ${partition}` : odata`PartitionKey eq ${partition} and RowKey gt ${after}`;
    // One more than asked says whether a next page exists, so the last page carries no token.
    const rows = await this.call("list", async () => {
      const found: Record<string, unknown>[] = [];
      for await (const page of this.table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: take + 1 })) {
        found.push(...page);
        if (found.length > take) break;
      }
      return found;
    });
    const page = rows.slice(0, take);
    const last = page.at(-1);
    const more = rows.length > take && last !== undefined;
    return { runs: page.map(fromProperties), ...(more ? { continuationToken: encodeToken(partition, String(last.rowKey)) } : {}) };
  }

  /** Records a delivery attempt (the same attempt again replaces it). */
  async recordDelivery(d: DeliveryRecord): Promise<void> {
    const runId = checkKey("recordDelivery", "runId", d.runId);
    const rowKey = `${runId}|${d.event}|${String(d.webhook).padStart(2, "0")}|${String(d.attempt).padStart(3, "0")}`;
    await this.call("recordDelivery", () => this.table.upsertEntity({ partitionKey: DELIVERY_PARTITION, rowKey, delivery: JSON.stringify(d) }, "Replace"));
  }

  /** A run's delivery attempts, by event, webhook and attempt. */
  async deliveries(runId: string): Promise<DeliveryRecord[]> {
    const id = checkKey("deliveries", "runId", runId);
    // "}" sorts right after "|": the range is exactly this run's rows.
    const filter = odata`PartitionKey eq ${DELIVERY_PARTITION} and RowKey gt ${`${id}|`} and RowKey lt ${`${id}}`}`;
    return this.call("deliveries", async () => {
      const found: DeliveryRecord[] = [];
      for await (const e of this.table.listEntities<{ delivery: string }>({ queryOptions: { filter } })) {
        found.push(JSON.parse(e.delivery) as DeliveryRecord);
        if (found.length >= 500) break; // 7 events × 10 webhooks × 6 attempts is 420
      }
      return found;
    });
  }

  /**
   * When the app first reported on this endpoint: recorded by the first call (`nowIso`), read
   * back by every later one, so a new endpoint is not "stale" the hour it is deployed.
   */
  async watchingSince(endpoint: string, nowIso: string): Promise<string> {
    const row = endpointPartition("watchingSince", endpoint);
    const found = await this.read("watchingSince", WATCH_PARTITION, row);
    if (typeof found?.since === "string") return found.since;
    try {
      await this.table.createEntity({ partitionKey: WATCH_PARTITION, rowKey: row, since: nowIso });
      return nowIso;
    } catch (e) {
      // Two reporters at once: the first one's time stands.
      if (tableErrorCode(e).code !== "EntityAlreadyExists") throw classifyTableError("watchingSince", e);
      const first = await this.read("watchingSince", WATCH_PARTITION, row);
      return typeof first?.since === "string" ? first.since : nowIso;
    }
  }

  private async index(operation: string, runId: string): Promise<IndexEntry | undefined> {
    const e = await this.read(operation, INDEX_PARTITION, runId);
    return e && typeof e.partition === "string" && typeof e.row === "string" ? { partition: e.partition, row: e.row } : undefined;
  }

  /** A missing entity is undefined; a missing table is an error (init() was not called). */
  private async read(operation: string, partitionKey: string, rowKey: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
    } catch (e) {
      if (tableErrorCode(e).code === "ResourceNotFound") return undefined;
      throw classifyTableError(operation, e);
    }
  }

  private async remove(partitionKey: string, rowKey: string): Promise<void> {
    try {
      await this.table.deleteEntity(partitionKey, rowKey);
    } catch (e) {
      if (tableErrorCode(e).code !== "ResourceNotFound") throw classifyTableError("upsert", e);
    }
  }

  private async call<T>(operation: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw classifyTableError(operation, e);
    }
  }
}

/** Our own cursor (the last RowKey served), bound to its partition so it cannot page another listing. */
function encodeToken(partition: string, rowKey: string): string {
  return Buffer.from(JSON.stringify({ p: partition, r: rowKey })).toString("base64url");
}

function decodeToken(token: string, partition: string): string {
  let parsed: { p?: unknown; r?: unknown } = {};
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as typeof parsed;
  } catch {
    // falls through to the refusal below
  }
  if (typeof parsed.r !== "string") throw invalidArgument("list", "Run history: the continuation token is not one this store issued.");
  if (parsed.p !== partition) throw invalidArgument("list", "Run history: the continuation token belongs to a listing with a different endpoint filter.");
  return parsed.r;
}

function parseSummary(text: string): EndpointSummary | undefined {
  try {
    const v = JSON.parse(text) as Partial<EndpointSummary>;
    return typeof v.endpoint === "string" && typeof v.health === "object" ? (v as EndpointSummary) : undefined;
  } catch {
    return undefined;
  }
}
