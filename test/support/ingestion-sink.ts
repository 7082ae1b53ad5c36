import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "./test-tls";

/** One telemetry item as the Application Insights SDK sends it (the Breeze envelope). */
export interface Envelope {
  readonly name: string;
  readonly time: string;
  readonly data: {
    readonly baseType: string;
    readonly baseData: {
      readonly name?: string;
      readonly properties?: Record<string, string>;
      readonly measurements?: Record<string, number>;
      readonly metrics?: { readonly name: string; readonly value: number }[];
    };
  };
}

/** An item as Application Insights stores it: the table, its `name`, customDimensions and customMeasurements. */
export interface StoredItem {
  readonly table: "customEvents" | "customMetrics";
  readonly name: string;
  readonly customDimensions: Readonly<Record<string, string>>;
  readonly customMeasurements: Readonly<Record<string, number>>;
}

export interface IngestionSink {
  /** Point APPLICATIONINSIGHTS_CONNECTION_STRING here. */
  readonly connectionString: string;
  /** Events and metrics as the customEvents and customMetrics tables would hold them. */
  items(): StoredItem[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * A capturing Application Insights ingestion endpoint on https://127.0.0.1: what the app's real
 * SDK exports lands here as the service would receive it. Requires the suite's test certificate
 * (test/global-setup.ts), since the exporter only speaks https.
 */
export async function startIngestionSink(): Promise<IngestionSink> {
  const cert = process.env[TEST_TLS_CERT];
  const key = process.env[TEST_TLS_KEY];
  if (!cert || !key) throw new Error(`${TEST_TLS_CERT}/${TEST_TLS_KEY} are not set: the ingestion sink needs the suite's global setup (test/global-setup.ts).`);
  const envelopes: Envelope[] = [];
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      let items: Envelope[] = [];
      try {
        const raw = Buffer.concat(chunks);
        const text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
        // A JSON array, or one envelope per line.
        items = text.trimStart().startsWith("[") ? (JSON.parse(text) as Envelope[]) : text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Envelope);
      } catch {
        res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: "unreadable body" }] }));
        return;
      }
      if (req.url?.startsWith("/v2.1/track") || req.url?.startsWith("/v2/track")) envelopes.push(...items);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    connectionString: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/;LiveEndpoint=https://127.0.0.1:${port}/`,
    items: () => envelopes.flatMap((e): StoredItem[] => {
      const d = e.data.baseData;
      if (e.data.baseType === "EventData") return [{ table: "customEvents", name: d.name ?? "", customDimensions: d.properties ?? {}, customMeasurements: d.measurements ?? {} }];
      if (e.data.baseType === "MetricData") return (d.metrics ?? []).map((m) => ({ table: "customMetrics", name: m.name, customDimensions: d.properties ?? {}, customMeasurements: {} }));
      return [];
    }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
