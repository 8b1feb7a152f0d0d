/**
 * The emulator's HTTP server: reads each request fully (chunked bodies included), hands the bytes
 * to the core (`EmulatorEngine`) and carries out its plan — reply now, reply after a delay, or
 * destroy the connection without a reply. Requests under `/_emulator/` are the control plane
 * (JSON in/out, no signature).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { ApiError, type ProductModel } from "./core/types";
import { EmulatorEngine, type EmulatorControl, type RawRequest } from "./core/engine";
import type { Credential } from "./core/auth";
import { createVpcIpamModel } from "./vpcipam";
import { createEipanycastModel } from "./eipanycast";

export const DEFAULT_ACCESS_KEY_ID = "emulator-access-key-id";
export const DEFAULT_ACCESS_KEY_SECRET = "emulator-access-key-secret";
export const DEFAULT_HOST = "127.0.0.1";
/**
 * Largest request body read (API and control plane). Larger → 413 and the connection is closed.
 * Real RPC calls of both APIs carry a few KiB at most; 1 MiB leaves room for big seeds.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Default `emulator-access-key-id`. */
  accessKeyId?: string;
  /** Default `emulator-access-key-secret`. */
  accessKeySecret?: string;
  /**
   * STS mode: every request must carry this token (V3: `x-acs-security-token` plus
   * `x-acs-accesskey-id`; HMAC-SHA1: `SecurityToken`). Without it, a request that carries a token
   * is rejected.
   */
  securityToken?: string;
  /** Persist the inventory (and remembered ClientTokens) here after every mutating call; restored on start. */
  statePath?: string;
  /** Product models; default: the real VpcIpam and Eipanycast models. */
  models?: readonly ProductModel[];
  /** Emulator clock (epoch ms) for model transitions, ClientToken TTL, rate limits and call-log times. Signature windows always use the real clock. */
  now?: () => number;
  /** How long a ClientToken is remembered (emulator clock). Default 24 h. */
  clientTokenTtlMs?: number;
  /** Seed of the PRNG used by `probability` fault rules (default 0x5eed). */
  faultSeed?: number;
  /** One line per call and per notable event. */
  log?: (line: string) => void;
  /** Byte budget of the call log (oldest records go first). Default 16 MiB. */
  callLogMaxBytes?: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` — where a client on this machine connects (loopback for a wildcard bind). */
  readonly url: string;
  /** The address actually bound, e.g. `http://0.0.0.0:PORT` for `host: "0.0.0.0"`. */
  readonly listenUrl: string;
  /** True when bound to a non-loopback interface: the unauthenticated control plane is reachable from the network. */
  readonly exposed: boolean;
  readonly port: number;
  /** `127.0.0.1:PORT` — what to put in the SDK's `Config.endpoint` (with `protocol: 'HTTP'`). */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  /** In-process control plane (same operations as `/_emulator/…`). */
  readonly control: EmulatorControl;
  /** Stops listening, drops open connections and pending delayed replies, writes the state file. */
  close(): Promise<void>;
}

/** The real product models (fresh instances per emulator). */
function defaultModels(): ProductModel[] {
  return [createVpcIpamModel(), createEipanycastModel()];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, maxBytes: number = MAX_BODY_BYTES): Promise<Buffer> {
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

function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    // Exactly this value: the SDK parses error bodies as JSON unless it is `text/xml;charset=utf-8`.
    "Content-Type": "application/json;charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Where a local client connects: loopback for a wildcard bind. */
function displayHost(host: string): string {
  return isWildcard(host) ? "127.0.0.1" : urlHost(host);
}

/**
 * Host names the control plane answers to: loopback names, the configured host and, for a
 * wildcard bind, this machine's interface addresses. Anything else is a DNS-rebinding attempt
 * (a web page whose own name resolves to 127.0.0.1).
 */
function allowedControlHosts(host: string): Set<string> {
  const names = new Set(["localhost", "127.0.0.1", "::1", host.toLowerCase()]);
  if (isWildcard(host)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

/** `name` of a Host header value `name[:port]` / `[v6]:port`. */
function hostName(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith("[")) return v.slice(1, v.indexOf("]") < 0 ? undefined : v.indexOf("]"));
  return v.split(":")[0];
}

/**
 * The control plane has no authentication, so it must not be drivable by a web page the user
 * happens to visit: a browser can POST `text/plain` cross-origin without a preflight, and DNS
 * rebinding can make a foreign page same-origin by name. Hence: the Host must be one we answer
 * to, a browser's Origin must be this emulator itself, and writes must be JSON (a content type
 * a page cannot send cross-origin without a CORS preflight, which we never grant).
 */
function guardControl(req: IncomingMessage, allowedHosts: Set<string>, port: () => number): void {
  const host = req.headers.host;
  if (host === undefined || !(allowedHosts.has(hostName(host)) || isLoopback(hostName(host)))) {
    throw new HttpError(403, `control plane refuses Host "${host ?? ""}": use a loopback address (127.0.0.1, localhost, [::1]) or the configured --host`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let ok = false;
    try {
      const o = new URL(origin);
      const oPort = o.port === "" ? (o.protocol === "https:" ? 443 : 80) : Number(o.port);
      ok = o.protocol === "http:" && oPort === port() && (allowedHosts.has(hostName(o.host)) || isLoopback(hostName(o.host)));
    } catch {
      ok = false;
    }
    if (!ok) throw new HttpError(403, `control plane refuses cross-origin requests (Origin "${origin}"); only this emulator's own origin may call it`);
  }
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD") {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") {
      throw new HttpError(415, `control-plane ${method} requires "Content-Type: application/json" (got "${req.headers["content-type"] ?? ""}")`);
    }
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const accessKeyId = options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID;
  const accessKeySecret = options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET;
  const credential: Credential = {
    accessKeyId,
    accessKeySecret,
    ...(options.securityToken !== undefined ? { securityToken: options.securityToken } : {}),
  };
  const log = options.log ?? (() => undefined);
  const engine = new EmulatorEngine({
    credentials: [credential],
    models: options.models ?? defaultModels(),
    now: options.now ?? Date.now,
    clientTokenTtlMs: options.clientTokenTtlMs,
    statePath: options.statePath,
    faultSeed: options.faultSeed,
    callLogMaxBytes: options.callLogMaxBytes,
    log,
  });
  engine.restoreFromFile();

  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const raw: RawRequest = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: req.headersDistinct as Record<string, string[]>,
      body,
    };
    const plan = engine.handle(raw);
    later(plan.delayMs, () => {
      if (plan.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (res.destroyed || req.socket.destroyed) return; // the client gave up while we waited
      sendJson(res, plan.status, plan.body, { "x-acs-request-id": plan.requestId });
    });
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? "GET";
    const route = url.pathname.replace(/^\/_emulator\/?/, "").replace(/\/$/, "");
    guardControl(req, controlHosts, () => port);
    const bodyBuf = await readBody(req);
    const json = (): unknown => {
      if (bodyBuf.length === 0) return {};
      try {
        return JSON.parse(bodyBuf.toString("utf8"));
      } catch {
        throw new HttpError(400, "request body is not valid JSON");
      }
    };
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw new HttpError(405, `${method} not allowed on /_emulator/${route} (use ${methods.join(", ")})`);
    };
    const ok = (body: unknown) => sendJson(res, 200, body);

    switch (true) {
      case route === "health":
        allow("GET");
        return ok({
          ok: true,
          models: engine.models.map((m) => ({ product: m.product, version: m.version, hostPrefix: m.hostPrefix })),
        });
      case route === "reset":
        allow("POST");
        engine.reset();
        return ok({ ok: true });
      case route === "seed":
        allow("POST");
        return ok({ seeded: engine.seed(json() as Record<string, unknown>) });
      case route === "state":
        allow("GET");
        return ok(engine.state());
      case route === "calls": {
        allow("GET", "DELETE");
        if (method === "DELETE") {
          engine.clearCalls();
          return ok({ ok: true });
        }
        const since = url.searchParams.get("since");
        const n = since === null ? 0 : Number(since);
        if (!Number.isInteger(n) || n < 0) throw new HttpError(400, "since must be a non-negative integer");
        return ok({ calls: engine.calls(n) });
      }
      case route === "faults": {
        allow("GET", "POST", "DELETE");
        if (method === "GET") return ok({ faults: engine.listFaults() });
        if (method === "DELETE") {
          engine.clearFaults();
          return ok({ ok: true });
        }
        const b = json();
        const rules = Array.isArray(b) ? b : [b];
        return ok({ faults: rules.map((r) => engine.addFault(r as never)) });
      }
      case route === "faults/seed": {
        allow("POST");
        const b = json() as { seed?: unknown };
        engine.setFaultSeed(b.seed as number);
        return ok({ ok: true });
      }
      case route.startsWith("faults/"): {
        allow("DELETE");
        const id = decodeURIComponent(route.slice("faults/".length));
        if (!engine.removeFault(id)) throw new HttpError(404, `no fault rule ${id}`);
        return ok({ ok: true });
      }
      case route === "ratelimit": {
        allow("GET", "POST", "DELETE");
        if (method === "GET") return ok({ rateLimits: engine.listRateLimits() });
        if (method === "DELETE") {
          engine.clearRateLimits();
          return ok({ ok: true });
        }
        const b = json();
        const limits = Array.isArray(b) ? b : [b];
        return ok({ rateLimits: limits.map((l) => engine.setRateLimit(l as never)) });
      }
      case route === "timing":
        allow("GET", "POST");
        if (method === "POST") engine.setTiming(json() as never);
        return ok(engine.getTiming());
      case route === "settle":
        allow("POST");
        return ok({ settled: engine.settle() });
      case route === "save":
        allow("POST");
        engine.save();
        return ok({ ok: true, statePath: options.statePath ?? null });
      default:
        throw new HttpError(404, `unknown control endpoint /_emulator/${route}`);
    }
  };

  const host = options.host ?? DEFAULT_HOST;
  const controlHosts = allowedControlHosts(host);
  let port = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const isControl = url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/");
    const work = isControl ? handleControl(req, res, url) : handleApi(req, res);
    work.catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (e instanceof HttpError) {
        sendJson(res, e.status, { error: e.message, path: url.pathname }, e.status === 413 ? { Connection: "close" } : {});
      } else if (isControl && e instanceof ApiError) {
        // A model rejected a seed / timing spec.
        sendJson(res, e.status, { error: e.message, code: e.code, path: url.pathname });
      } else if (isControl) {
        // Validation errors from the engine (bad rule, unknown product key…) are plain Errors.
        sendJson(res, 400, { error: (e as Error)?.message ?? String(e), path: url.pathname });
      } else {
        log(`unexpected server error: ${(e as Error)?.stack ?? String(e)}`);
        sendJson(res, 500, { error: "internal emulator error" });
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const endpoint = `${displayHost(host)}:${port}`;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      engine.save();
    });
    return closed;
  };

  return {
    url: `http://${endpoint}`,
    listenUrl: `http://${urlHost(host === "" ? "0.0.0.0" : host)}:${port}`,
    exposed: !isLoopback(host),
    port,
    endpoint,
    accessKeyId,
    accessKeySecret,
    ...(options.securityToken !== undefined ? { securityToken: options.securityToken } : {}),
    control: engine,
    close,
  };
}
