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

type ControlMethod = "GET" | "POST" | "DELETE";

/** One method of a route: what it does (shown by the route index) and its handler. */
interface ControlOperation {
  readonly about: string;
  readonly run: ControlHandler;
}

interface ControlRoute {
  /** Exact route, or a prefix ending in `/` (`faults/`) that matches one more segment. */
  readonly path: string;
  readonly methods: Readonly<Partial<Record<ControlMethod, ControlOperation>>>;
}

const OK = { ok: true } as const;

function op(about: string, run: ControlHandler): ControlOperation {
  return { about, run };
}

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

/** Every control-plane route; emulator/README.md "Control plane" documents the same table. */
const ROUTES: readonly ControlRoute[] = [
  {
    path: "health",
    methods: {
      GET: op("liveness and the products served", ({ engine }) => ({
        ok: true,
        models: engine.models.map((m) => ({ product: m.product, version: m.version, hostPrefix: m.hostPrefix })),
      })),
    },
  },
  { path: "reset", methods: { POST: op("forget inventory, call log, ClientTokens, faults, rate limits and timing", ({ engine }) => (engine.reset(), OK)) } },
  {
    path: "seed",
    methods: { POST: op('add pools, allocations and EIPs: {"vpcipam": {...}, "eipanycast": {...}}', ({ engine, json }) => ({ seeded: engine.seed(json() as Record<string, unknown>) })) },
  },
  { path: "state", methods: { GET: op("the inventory of each product", ({ engine }) => engine.state()) } },
  {
    path: "calls",
    methods: {
      GET: op("the call log (?since=N: calls after seq N)", ({ engine, url }) => ({ calls: engine.calls(sinceParam(url)) })),
      DELETE: op("clear the call log", ({ engine }) => (engine.clearCalls(), OK)),
    },
  },
  {
    path: "faults",
    methods: {
      GET: op("the fault rules", ({ engine }) => ({ faults: engine.listFaults() })),
      POST: op("add a fault rule or an array of them", ({ engine, json }) => ({ faults: each(json(), (r) => engine.addFault(r as never)) })),
      DELETE: op("remove every fault rule", ({ engine }) => (engine.clearFaults(), OK)),
    },
  },
  {
    path: "faults/seed",
    methods: { POST: op('seed the fault PRNG: {"seed": 42}', ({ engine, json }) => (engine.setFaultSeed((json() as { seed?: unknown }).seed as number), OK)) },
  },
  {
    path: "faults/",
    methods: {
      DELETE: op("remove one fault rule by id", ({ engine, route }) => {
        const id = decodeURIComponent(route.slice("faults/".length));
        if (!engine.removeFault(id)) throw new HttpError(404, `no fault rule ${id}`);
        return OK;
      }),
    },
  },
  {
    path: "ratelimit",
    methods: {
      GET: op("the per-action rate limits", ({ engine }) => ({ rateLimits: engine.listRateLimits() })),
      POST: op("set a rate limit {product?, action, perSecond, burst?} or an array of them", ({ engine, json }) => ({
        rateLimits: each(json(), (l) => engine.setRateLimit(l as never)),
      })),
      DELETE: op("remove every rate limit", ({ engine }) => (engine.clearRateLimits(), OK)),
    },
  },
  {
    path: "timing",
    methods: {
      GET: op("transition durations per product", ({ engine }) => engine.getTiming()),
      POST: op('change transition durations: {"eipanycast": {"Associating": 0}}', ({ engine, json }) => (engine.setTiming(json() as never), engine.getTiming())),
    },
  },
  { path: "settle", methods: { POST: op("complete every pending transition now", ({ engine }) => ({ settled: engine.settle() })) } },
  {
    path: "ram-policy",
    methods: {
      GET: op("the RAM policy every call is checked against (null: RAM checks off)", ({ engine }) => ({ policy: engine.getRamPolicy() })),
      POST: op('check every call against this RAM policy: {"Version": "1", "Statement": [...]}', ({ engine, json }) => (engine.setRamPolicy(json()), { policy: engine.getRamPolicy() })),
      DELETE: op("turn RAM checks off", ({ engine }) => (engine.setRamPolicy(null), OK)),
    },
  },
  {
    path: "save",
    methods: { POST: op("write the state file now (--state)", ({ engine, statePath }) => (engine.save(), { ok: true, statePath: statePath ?? null })) },
  },
];

/** One line of the route index (`GET /_emulator/`). */
export interface ControlRouteInfo {
  readonly method: ControlMethod;
  /** e.g. `/_emulator/faults/{id}` for the prefix route `faults/`. */
  readonly path: string;
  readonly about: string;
}

/** The route index, generated from the route table so it cannot drift from what is served. */
export function controlRouteIndex(): ControlRouteInfo[] {
  const index: ControlRouteInfo[] = [{ method: "GET", path: "/_emulator/", about: "this index" }];
  for (const r of ROUTES) {
    const path = `/_emulator/${r.path.endsWith("/") ? `${r.path}{id}` : r.path}`;
    for (const [method, operation] of Object.entries(r.methods) as [ControlMethod, ControlOperation][]) {
      index.push({ method, path, about: operation.about });
    }
  }
  return index;
}

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
  if (route === "") {
    if (method !== "GET") throw new HttpError(405, `${method} not allowed on /_emulator/ (use GET: the route index)`);
    sendJson(res, 200, { routes: controlRouteIndex() });
    return;
  }
  const found = findRoute(route);
  if (!found) throw new HttpError(404, `unknown control endpoint /_emulator/${route} (GET /_emulator/ lists the routes)`);
  const operation = found.methods[method as ControlMethod];
  if (!operation) {
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
  sendJson(res, 200, operation.run({ engine: o.engine, method, url, route, json, statePath: o.statePath }));
}
