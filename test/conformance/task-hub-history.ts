import { TableClient } from "@azure/data-tables";

/** One row of DTFx's `{hub}History` table: a history event as the Azure Storage provider keeps it. */
export type RecordedEvent = Record<string, string | number | boolean | null>;

export interface RecordedInstance {
  readonly instanceId: string;
  readonly name: string;
  readonly status: string;
  /** The current execution's history, in order (the provider keeps only the latest execution). */
  readonly history: readonly RecordedEvent[];
}

/** Table service bookkeeping, not part of the event. */
const DROP = new Set(["etag", "partitionKey", "rowKey", "timestamp", "odata.etag", "odata.metadata"]);

/**
 * The real engine's full history of an instance, read from its task hub's History table in
 * Azurite: every event the engine recorded (OrchestratorStarted included, unlike the status API's
 * summary), with the EventIds the orchestrator's actions were given.
 */
export async function readTaskHubHistory(connectionString: string, hubName: string, instanceId: string): Promise<RecordedEvent[]> {
  const table = TableClient.fromConnectionString(connectionString, `${hubName}History`, { allowInsecureConnection: true });
  const rows: { rowKey: string; event: RecordedEvent }[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${instanceId.replace(/'/g, "''")}'` } })) {
    const event: RecordedEvent = {};
    for (const [k, v] of Object.entries(e)) {
      if (DROP.has(k) || k.endsWith("@odata.type")) continue;
      event[k] = v instanceof Date ? v.toISOString() : (v as string | number | boolean | null);
    }
    rows.push({ rowKey: String(e.rowKey), event });
  }
  // Row keys are the event's position, zero-padded, plus a sentinel row naming the current
  // execution. A new execution under the same id overwrites rows from 0: rows past its end still
  // hold the previous execution's events, so only the current execution's rows are kept.
  const sentinel = rows.find((r) => typeof r.event.EventType !== "string")?.event.ExecutionId;
  const events = rows.sort((a, b) => a.rowKey.localeCompare(b.rowKey)).map((r) => r.event).filter((e) => typeof e.EventType === "string");
  const current = sentinel ?? events.find((e) => e.EventType === "ExecutionStarted")?.ExecutionId;
  return events.filter((e) => e.ExecutionId === current);
}
