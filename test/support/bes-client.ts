/**
 * A BES client written the way the official samples wrote one for the real service: submit,
 * start, poll every second-ish, read outputs through the returned SAS. Only the base URL and the
 * key point it at the local service.
 */
export interface BlobResult {
  readonly BaseLocation: string;
  readonly RelativeLocation: string;
  readonly SasBlobToken: string;
}

export async function runBatchJob(
  baseUrl: string,
  apiKey: string,
  request: unknown,
  pollIntervalInMs = 100,
  timeoutInMs = 120_000,
): Promise<{ jobId: string; results: Record<string, BlobResult> }> {
  const headers = { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" };
  const submit = await fetch(`${baseUrl}/jobs?api-version=2.0`, { method: "POST", headers, body: JSON.stringify(request) });
  if (!submit.ok) throw new Error(`submit failed: ${submit.status} ${await submit.text()}`);
  const jobId = (await submit.json()) as string;
  const start = await fetch(`${baseUrl}/jobs/${jobId}/start?api-version=2.0`, { method: "POST", headers });
  if (!start.ok) throw new Error(`start failed: ${start.status} ${await start.text()}`);
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const res = await fetch(`${baseUrl}/jobs/${jobId}?api-version=2.0`, { headers });
    const status = (await res.json()) as { StatusCode: string | number; Results: Record<string, BlobResult> | null; Details: string | null };
    switch (status.StatusCode) {
      case "Finished":
      case 4:
        return { jobId, results: status.Results ?? {} };
      case "Failed":
      case 2:
        throw new Error(`job failed: ${status.Details}`);
      case "Cancelled":
      case 3:
        throw new Error("job cancelled");
    }
    if (Date.now() > deadline) {
      await fetch(`${baseUrl}/jobs/${jobId}?api-version=2.0`, { method: "DELETE", headers });
      throw new Error(`job timed out after ${timeoutInMs} ms`);
    }
    await new Promise((r) => setTimeout(r, pollIntervalInMs));
  }
}

export async function readResult(r: BlobResult): Promise<string> {
  const res = await fetch(`${r.BaseLocation}${r.RelativeLocation}${r.SasBlobToken}`);
  if (!res.ok) throw new Error(`reading ${r.RelativeLocation} failed: ${res.status}`);
  return res.text();
}
