import { connect } from "node:net";

/** The answer to bytes written straight to a socket: the status line's code, or how the connection ended. */
export interface RawAnswer {
  readonly status: number | "closed" | "timeout";
  readonly text: string;
  /** Bytes of the request written before the answer (or the end). */
  readonly sent: number;
}

/**
 * Writes `head` (and then `bodyBytes` of filler in 1 MiB chunks, as fast as the server takes
 * them) to a fresh connection, and stops at the first answer. A server that reads a body before
 * it answers takes all of it; one that checks first answers after a few chunks.
 */
export function rawRequest(baseUrl: string, head: string, o: { bodyBytes?: number; hangUpAfterBytes?: number; timeoutInMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = "";
    let sent = 0;
    let done = false;
    const finish = (status: RawAnswer["status"]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, text, sent });
    };
    const timer = setTimeout(() => finish("timeout"), o.timeoutInMs ?? 10_000);
    let answered = false;
    socket.on("data", (d: Buffer) => {
      answered = true; // stop writing at once: bytes sent after this are the client's, not read by the server
      text += d.toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m && text.includes("\r\n\r\n")) setTimeout(() => finish(Number(m[1])), 50); // the body's first bytes too
    });
    socket.on("error", () => finish(/^HTTP\/1\.[01] (\d{3})/.test(text) ? Number(text.slice(9, 12)) : "closed"));
    socket.on("close", () => finish(/^HTTP\/1\.[01] (\d{3})/.test(text) ? Number(text.slice(9, 12)) : "closed"));
    socket.on("connect", () => {
      socket.write(head);
      sent += Buffer.byteLength(head);
      const total = o.bodyBytes ?? 0;
      const chunk = Buffer.alloc(1024 * 1024, "x");
      const pump = () => {
        while (!done && !answered && sent - Buffer.byteLength(head) < total) {
          if (o.hangUpAfterBytes !== undefined && sent >= o.hangUpAfterBytes) return finish("closed");
          sent += chunk.length;
          if (!socket.write(head.includes("chunked") ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk)) {
            socket.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
  });
}
