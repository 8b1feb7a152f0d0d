/** Small HTTP helpers shared by the API side and the control plane of the emulator's server. */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Largest request body read (API and control plane). Larger → 413 and the connection is closed.
 * Real RPC calls of both APIs carry a few KiB at most; 1 MiB leaves room for big seeds.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP-level refusal (not a cloud error): answered as `{error, path}` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, maxBytes: number = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        // Stop buffering, discard the rest; the 413 reply closes the connection.
        req.off("data", onData);
        req.resume();
        reject(new HttpError(413, `request body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    // Exactly this value: the SDK parses error bodies as JSON unless it is `text/xml;charset=utf-8`.
    "Content-Type": "application/json;charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A host as it appears in a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** `name` of a Host header value `name[:port]` / `[v6]:port`. */
export function hostName(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith("[")) {
    const end = v.indexOf("]");
    return v.slice(1, end < 0 ? undefined : end);
  }
  return v.split(":")[0];
}
