import type { IncomingMessage } from "node:http";
import { AmlHttpError } from "./errors";

/** Past this much discarded input the connection is cut instead of drained. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Buffers at most `maxBytes`; a larger body is refused with 413. The rest is read and dropped
 * (not buffered) so the client sees the 413 instead of a reset while it is still sending.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes + MAX_DRAIN_BYTES) req.destroy();
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw tooLarge(maxBytes);
  return Buffer.concat(chunks);
}

export function parseJson(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") throw new AmlHttpError(400, "BadArgument", "The request body is empty; a JSON body is required.", "InvalidRequestBody");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AmlHttpError(400, "BadArgument", `The request body is not valid JSON: ${(e as Error).message}`, "InvalidRequestBody");
  }
}

function tooLarge(maxBytes: number): AmlHttpError {
  return new AmlHttpError(413, "RequestEntityTooLarge", `The request body is larger than ${maxBytes} bytes.`);
}
