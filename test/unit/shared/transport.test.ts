import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTransport, withTimeout } from "../../../shared/http/transport";
import { classifyNetworkError } from "../../../shared/backends/classic/aml-error";

describe("withTimeout over the fetch transport", () => {
  let server: Server;
  let url = "";
  beforeAll(async () => {
    // answers /slow never, /fast at once
    server = createServer((req, res) => (req.url === "/fast" ? res.end("ok") : undefined));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it("abandons a call that does not answer in time, as a retryable timeout", async () => {
    const transport = withTimeout(fetchTransport, 200);
    const e = await transport({ method: "GET", url: `${url}/slow`, headers: {} }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    const classified = classifyNetworkError("BES status", e);
    expect(classified).toMatchObject({ code: "Timeout", retryable: true, message: "BES status timed out" });
  });

  it("leaves answering calls alone, and a request's own timeout wins", async () => {
    const transport = withTimeout(fetchTransport, 1);
    await expect(transport({ method: "GET", url: `${url}/fast`, headers: {}, timeoutInMs: 5_000 })).resolves.toMatchObject({ status: 200, bodyText: "ok" });
  });
});
