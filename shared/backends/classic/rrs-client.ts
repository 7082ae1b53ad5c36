import { AmlServiceError } from "./aml-error";
import { callService, parseJsonBody } from "./request";
import { fetchTransport, type HttpTransport } from "../../http/transport";

export interface ScoredTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Request-Response scoring on one endpoint (its `ApiLocation` and key). */
export class RrsClient {
  constructor(private readonly o: { readonly transport?: HttpTransport; readonly timeoutInMs?: number; readonly now?: () => number } = {}) {}

  async score(apiLocation: string, apiKey: string, columns: readonly string[], rows: readonly (readonly string[])[]): Promise<ScoredTable> {
    const url = `${apiLocation.replace(/\/+$/, "")}/execute?api-version=2.0&details=true`;
    const res = await callService({ transport: this.o.transport ?? fetchTransport, apiKey, timeoutInMs: this.o.timeoutInMs, now: this.o.now }, "RRS score", "POST", url, {
      Inputs: { input1: { ColumnNames: columns, Values: rows } },
      GlobalParameters: {},
    });
    const body = parseJsonBody<{ Results?: { output1?: { value?: { ColumnNames?: string[]; Values?: string[][] } } } }>("RRS score", res);
    const value = body.Results?.output1?.value;
    if (!value?.ColumnNames || !value.Values) throw new AmlServiceError("RRS score returned no output1 table with column names", { operation: "RRS score", code: "InvalidResponse", retryable: false, statusCode: res.status });
    return { columns: value.ColumnNames, rows: value.Values };
  }
}
