import type { TestEmulator } from "./emulator";

export interface Endpoint {
  readonly Name: string;
  readonly PrimaryKey: string;
  readonly ApiLocation: string;
  readonly Resources: { Name: string; Location: { BaseLocation: string; RelativeLocation: string } }[];
}

export async function getEndpoint(e: TestEmulator, name: string): Promise<Endpoint> {
  const r = await e.call("GET", `${e.endpointsUrl}/${name}`, e.config.managementToken);
  if (r.status !== 200) throw new Error(`GET endpoint ${name}: ${r.status}`);
  return r.body as Endpoint;
}

/** Scores rows through an endpoint's RRS URL; returns the Scored Probabilities. */
export async function score(e: TestEmulator, endpoint: Endpoint, columns: string[], rows: string[][]): Promise<number[]> {
  const r = await e.call("POST", `${endpoint.ApiLocation}/execute?api-version=2.0&details=true`, endpoint.PrimaryKey, {
    Inputs: { input1: { ColumnNames: columns, Values: rows } },
    GlobalParameters: {},
  });
  if (r.status !== 200) throw new Error(`score: ${r.status} ${JSON.stringify(r.body)}`);
  const value = (r.body as { Results: { output1: { value: { ColumnNames: string[]; Values: string[][] } } } }).Results.output1.value;
  const p = value.ColumnNames.indexOf("Scored Probabilities");
  return value.Values.map((row) => Number(row[p]));
}
