/**
 * The emulator's HTTP server: reads each request fully (chunked bodies included), hands the bytes
 * to the core (`EmulatorEngine`) and carries out its plan — reply now, reply after a delay, or
 * destroy the connection without a reply. Requests under `/_emulator/` are the control plane
 * (JSON in/out, no signature).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ApiError, type ProductModel } from "./core/types";
import { EmulatorEngine, type EmulatorControl, type RawRequest } from "./core/engine";
import { allowedControlHosts, handleControlRequest } from "./control-plane";
import { HttpError, isLoopback, isWildcard, readBody, sendJson, urlHost } from "./http";
import { createVpcIpamModel } from "./vpcipam";
import { createEipanycastModel } from "./eipanycast";

export const DEFAULT_ACCESS_KEY_ID = "emulator-access-key-id";
export const DEFAULT_ACCESS_KEY_SECRET = "emulator-access-key-secret";
export const DEFAULT_HOST = "127.0.0.1";
export { MAX_BODY_BYTES } from "./http";

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
  /**
   * A RAM policy document (`{"Version": "1", "Statement": [...]}`): every call is checked against it and
   * a denied one answers `Forbidden.RAM` (core/ram.ts). Default: no RAM checks.
   */
  ramPolicy?: unknown;
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

/** Where a local client connects: loopback for a wildcard bind. */
function displayHost(host: string): string {
  return isWildcard(host) ? "127.0.0.1" : urlHost(host);
}

function createEngine(options: EmulatorOptions, accessKeyId: string, accessKeySecret: string): EmulatorEngine {
  const engine = new EmulatorEngine({
    credentials: [
      {
        accessKeyId,
        accessKeySecret,
        ...(options.securityToken !== undefined ? { securityToken: options.securityToken } : {}),
      },
    ],
    models: options.models ?? defaultModels(),
    now: options.now ?? Date.now,
    clientTokenTtlMs: options.clientTokenTtlMs,
    statePath: options.statePath,
    faultSeed: options.faultSeed,
    callLogMaxBytes: options.callLogMaxBytes,
    log: options.log,
    ramPolicy: options.ramPolicy,
  });
  engine.restoreFromFile();
  return engine;
}

/** Delayed replies (latency faults), cancelled together on close. */
class ReplyTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** One API call: read the body, let the engine decide, carry out its plan (reply now, later, or drop). */
async function handleApiRequest(engine: EmulatorEngine, timers: ReplyTimers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const raw: RawRequest = {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: req.headersDistinct as Record<string, string[]>,
    body,
  };
  const plan = engine.handle(raw);
  timers.later(plan.delayMs, () => {
    if (plan.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (res.destroyed || req.socket.destroyed) return; // the client gave up while we waited
    sendJson(res, plan.status, plan.body, { "x-acs-request-id": plan.requestId });
  });
}

/** Answers what a handler threw: HTTP refusals as `{error, path}`, engine validation as 400. */
function sendFailure(res: ServerResponse, url: URL, isControl: boolean, e: unknown, log: (line: string) => void): void {
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
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Keeps track of open sockets so `close()` can drop them (keep-alive clients would hold it open). */
function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  return sockets;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const accessKeyId = options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID;
  const accessKeySecret = options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET;
  const log = options.log ?? (() => undefined);
  const engine = createEngine(options, accessKeyId, accessKeySecret);
  const host = options.host ?? DEFAULT_HOST;
  const timers = new ReplyTimers();
  let port = 0;
  const control = { engine, allowedHosts: allowedControlHosts(host), port: () => port, statePath: options.statePath };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const isControl = url.pathname === "/_emulator" || url.pathname.startsWith("/_emulator/");
    const work = isControl ? handleControlRequest(req, res, url, control) : handleApiRequest(engine, timers, req, res);
    work.catch((e: unknown) => sendFailure(res, url, isControl, e, log));
  });
  const sockets = trackSockets(server);
  port = await listen(server, options.port ?? 0, host);
  const endpoint = `${displayHost(host)}:${port}`;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
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
