/**
 * The HTTP control plane under `/_emulator/`: JSON in and out, no signature. A route table maps
 * each path and method to one operation of the in-process control (`EmulatorEngine`).
 *
 * It has no authentication, so it must not be drivable by a web page the user happens to visit:
 * a browser can POST `text/plain` cross-origin without a preflight, and DNS rebinding can make a
 * foreign page same-origin by name. Hence `guardControlRequest`: the Host must be one we answer
 * to, a browser's Origin must be this emulator itself, and writes must be JSON (a content type a
 * page cannot send cross-origin without a CORS preflight, which we never grant).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { networkInterfaces } from "node:os";
import type { EmulatorEngine } from "./core/engine";
import { HttpError, hostName, isLoopback, isWildcard, readBody, sendJson } from "./http";

/** What one route handler gets: the parsed request and the engine. */
interface ControlCall {
  readonly engine: EmulatorEngine;
  readonly method: string;
  readonly url: URL;
  /** The route's path below `/_emulator/`, e.g. `faults/fault-3`. */
  readonly route: string;
  /** The JSON body (`{}` when empty). */
  json(): unknown;
  readonly statePath: string | undefined;
}

type ControlHandler = (call: ControlCall) => unknown;

interface ControlRoute {
  /** Exact route, or a prefix ending in `/` (`faults/`) that matches one more segment. */
  readonly path: string;
  readonly methods: Readonly<Partial<Record<"GET" | "POST" | "DELETE", ControlHandler>>>;
}

const OK = { ok: true } as const;

/** `x` or, for an array body, each element. */
function each<T>(body: unknown, fn: (item: unknown) => T): T[] {
  return (Array.isArray(body) ? body : [body]).map(fn);
}

function sinceParam(url: URL): number {
  const since = url.searchParams.get("since");
  const n = since === null ? 0 : Number(since);
  if (!Number.isInteger(n) || n < 0) throw new HttpError(400, "since must be a non-negative integer");
  return n;
}

/** Every control-plane route; README "Control plane" documents the same table. */
const ROUTES: readonly ControlRoute[] = [
  {
    path: "health",
    methods: {
      GET: ({ engine }) => ({
        ok: true,
        models: engine.models.map((m) => ({ product: m.product, version: m.version, hostPrefix: m.hostPrefix })),
      }),
    },
  },
  { path: "reset", methods: { POST: ({ engine }) => (engine.reset(), OK) } },
  { path: "seed", methods: { POST: ({ engine, json }) => ({ seeded: engine.seed(json() as Record<string, unknown>) }) } },
  { path: "state", methods: { GET: ({ engine }) => engine.state() } },
  {
    path: "calls",
    methods: {
      GET: ({ engine, url }) => ({ calls: engine.calls(sinceParam(url)) }),
      DELETE: ({ engine }) => (engine.clearCalls(), OK),
    },
  },
  {
    path: "faults",
    methods: {
      GET: ({ engine }) => ({ faults: engine.listFaults() }),
      POST: ({ engine, json }) => ({ faults: each(json(), (r) => engine.addFault(r as never)) }),
      DELETE: ({ engine }) => (engine.clearFaults(), OK),
    },
  },
  { path: "faults/seed", methods: { POST: ({ engine, json }) => (engine.setFaultSeed((json() as { seed?: unknown }).seed as number), OK) } },
  {
    path: "faults/",
    methods: {
      DELETE: ({ engine, route }) => {
        const id = decodeURIComponent(route.slice("faults/".length));
        if (!engine.removeFault(id)) throw new HttpError(404, `no fault rule ${id}`);
        return OK;
      },
    },
  },
  {
    path: "ratelimit",
    methods: {
      GET: ({ engine }) => ({ rateLimits: engine.listRateLimits() }),
      POST: ({ engine, json }) => ({ rateLimits: each(json(), (l) => engine.setRateLimit(l as never)) }),
      DELETE: ({ engine }) => (engine.clearRateLimits(), OK),
    },
  },
  {
    path: "timing",
    methods: {
      GET: ({ engine }) => engine.getTiming(),
      POST: ({ engine, json }) => (engine.setTiming(json() as never), engine.getTiming()),
    },
  },
  { path: "settle", methods: { POST: ({ engine }) => ({ settled: engine.settle() }) } },
  { path: "save", methods: { POST: ({ engine, statePath }) => (engine.save(), { ok: true, statePath: statePath ?? null }) } },
];

function findRoute(route: string): ControlRoute | undefined {
  return (
    ROUTES.find((r) => r.path === route) ??
    ROUTES.find((r) => r.path.endsWith("/") && route.startsWith(r.path) && route.length > r.path.length)
  );
}

/**
 * Host names the control plane answers to: loopback names, the configured host and, for a
 * wildcard bind, this machine's interface addresses. Anything else is a DNS-rebinding attempt
 * (a web page whose own name resolves to 127.0.0.1).
 */
export function allowedControlHosts(host: string): Set<string> {
  const names = new Set(["localhost", "127.0.0.1", "::1", host.toLowerCase()]);
  if (isWildcard(host)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

function hostAllowed(allowedHosts: Set<string>, name: string): boolean {
  return allowedHosts.has(name) || isLoopback(name);
}

function originAllowed(origin: string, allowedHosts: Set<string>, port: number): boolean {
  try {
    const o = new URL(origin);
    const oPort = o.port === "" ? (o.protocol === "https:" ? 443 : 80) : Number(o.port);
    return o.protocol === "http:" && oPort === port && hostAllowed(allowedHosts, hostName(o.host));
  } catch {
    return false; // `null` and other opaque origins
  }
}

/** Throws 403 / 415 for a request a web page could have forged (see the module comment). */
export function guardControlRequest(req: IncomingMessage, allowedHosts: Set<string>, port: number): void {
  const host = req.headers.host;
  if (host === undefined || !hostAllowed(allowedHosts, hostName(host))) {
    throw new HttpError(403, `control plane refuses Host "${host ?? ""}": use a loopback address (127.0.0.1, localhost, [::1]) or the configured --host`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(origin, allowedHosts, port)) {
    throw new HttpError(403, `control plane refuses cross-origin requests (Origin "${origin}"); only this emulator's own origin may call it`);
  }
  const method = (req.method ?? "GET").toUpperCase();
  if (method !== "GET" && method !== "HEAD") {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") {
      throw new HttpError(415, `control-plane ${method} requires "Content-Type: application/json" (got "${req.headers["content-type"] ?? ""}")`);
    }
  }
}

export interface ControlPlaneOptions {
  readonly engine: EmulatorEngine;
  readonly allowedHosts: Set<string>;
  /** The bound port (known only after listening). */
  readonly port: () => number;
  readonly statePath?: string;
}

/** Answers one `/_emulator/…` request (guard, body, route table); throws HttpError for refusals. */
export async function handleControlRequest(req: IncomingMessage, res: ServerResponse, url: URL, o: ControlPlaneOptions): Promise<void> {
  const method = req.method ?? "GET";
  const route = url.pathname.replace(/^\/_emulator\/?/, "").replace(/\/$/, "");
  guardControlRequest(req, o.allowedHosts, o.port());
  const bodyBuf = await readBody(req);
  const found = findRoute(route);
  if (!found) throw new HttpError(404, `unknown control endpoint /_emulator/${route}`);
  const handler = found.methods[method as keyof ControlRoute["methods"]];
  if (!handler) {
    const allowed = Object.keys(found.methods).join(", ");
    throw new HttpError(405, `${method} not allowed on /_emulator/${route} (use ${allowed})`);
  }
  const json = (): unknown => {
    if (bodyBuf.length === 0) return {};
    try {
      return JSON.parse(bodyBuf.toString("utf8"));
    } catch {
      throw new HttpError(400, "request body is not valid JSON");
    }
  };
  sendJson(res, 200, handler({ engine: o.engine, method, url, route, json, statePath: o.statePath }));
}
