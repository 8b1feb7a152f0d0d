/**
 * The emulator core, independent of sockets: parse → verify → dispatch → (rate limit, faults,
 * ClientToken) → model → serialize. `server.ts` only moves bytes in and out and carries out the
 * returned plan (reply now, reply later, or drop the connection).
 *
 * Pipeline for one API call, first failure answers:
 *   1. parse: path, query, form body (malformed percent-encoding → InvalidParameter 400)
 *   2. authenticate (auth.ts, api-facts.md §5.5 / §5.4): IncompleteSignature, MissingParameter
 *      (required header / common parameter), InvalidTimeStamp.Format/.Expired,
 *      InvalidAccessKeyId.NotFound, SignatureDoesNotMatch, InvalidSecurityToken.Mismatch,
 *      SignatureNonceUsed
 *   3. dispatch: product (path prefix → Host label → version), InvalidVersion 400,
 *      InvalidAction.NotFound 404, UnsupportedHTTPMethod 400
 *      (Assumption: dispatch errors come after authentication — an unauthenticated caller learns
 *      nothing about which APIs exist.)
 *   3b. RAM (only with a policy loaded, ram.ts): Forbidden.RAM 403 with AccessDeniedDetail
 *      (Assumption: RAM is checked after authentication and dispatch, before flow control.)
 *   4. rate limit: Throttling.User 400
 *   5. faults: error / reset / lost / latency
 *   6. ClientToken format (idempotent actions): InvalidParameter 400 naming ClientToken
 *   7. required parameters: MissingParameter 400 (an empty value counts as missing — assumption)
 *   8. ClientToken replay / IdempotentParameterMismatch
 *   9. model `handle` → success body + RequestId; ApiError → its code/status; anything else →
 *      InternalError 500 (logged)
 */
import { randomUUID } from "node:crypto";
import {
  ApiError,
  type ActionDefinition,
  type ProductModel,
  type ProductName,
  type RequestContext,
  type TransitionTiming,
} from "./types";
import { Errors } from "./errors";
import { type Credential, type ParsedRequest, NonceStore, header, identify, verifyRequest } from "./auth";
import { actionParams, isFormContentType, pairsToRecord, parseUrlEncoded } from "./params";
import { ClientTokenStore, DEFAULT_CLIENT_TOKEN_TTL_MS, paramsFingerprint, validateClientToken } from "./idempotency";
import {
  FaultEngine,
  type FaultKind,
  type FaultRule,
  type FaultRuleInput,
  RateLimiter,
  type RateLimit,
  type RateLimitInput,
  faultError,
} from "./faults";
import { CallLog, type CallRecord } from "./calllog";
import { type RamPolicy, RamDeniedError, authorize, parseRamPolicy } from "./ram";
import { STATE_FORMAT, STATE_VERSION, type StateFile, readStateFile, removeStaleTempFiles, writeStateFile } from "./state";

/** The bytes of one HTTP request, as the server received them. */
export interface RawRequest {
  readonly method: string;
  /** Request target: path plus optional `?query`, still percent-encoded. */
  readonly url: string;
  /** Lower-case header name → values. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
}

/** What the server must do with the connection. */
export type ApiResponse =
  | {
      readonly kind: "reply";
      readonly status: number;
      readonly body: Record<string, unknown>;
      readonly requestId: string;
      /** Wait this long before writing the reply (latency faults). */
      readonly delayMs: number;
    }
  | { readonly kind: "drop"; readonly delayMs: number };

/** In-process control plane: the same operations as the HTTP routes under `/_emulator/`. */
export interface EmulatorControl {
  /** Forget inventory, call log, ClientTokens, faults and rate limits; timing back to defaults. */
  reset(): void;
  /** `{ vpcipam?: spec, eipanycast?: spec }` (keys: host prefix or product name) → each model's `seed`. */
  seed(spec: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** `{ vpcipam: inventory, eipanycast: inventory }` at the emulator clock's now. */
  state(): Record<string, Record<string, unknown>>;
  /** Call records with `seq > since` (all when omitted). */
  calls(since?: number): CallRecord[];
  /** Empty the call log. */
  clearCalls(): void;
  /** Add a fault rule (evaluated in the order added). */
  addFault(rule: FaultRuleInput): FaultRule;
  /** The fault rules, with their counters. */
  listFaults(): FaultRule[];
  /** Remove one fault rule; false when there is none with that id. */
  removeFault(id: string): boolean;
  /** Remove every fault rule. */
  clearFaults(): void;
  /** Re-seed the PRNG used by `probability` rules that carry no `seed` of their own. */
  setFaultSeed(seed: number): void;
  /** Add/replace the limit for (product, action); `perSecond: null` removes it. */
  setRateLimit(limit: RateLimitInput): RateLimit | null;
  /** The rate limits, with their buckets. */
  listRateLimits(): RateLimit[];
  /** Remove every rate limit. */
  clearRateLimits(): void;
  /** `{ vpcipam?: {...}, eipanycast?: {...} }` → each model's `setTiming`. */
  setTiming(timing: Readonly<Record<string, TransitionTiming>>): void;
  /** Each model's transition durations. */
  getTiming(): Record<string, TransitionTiming>;
  /** Complete every pending transition now; returns how many per model. */
  settle(): Record<string, number>;
  /** Write the state file now (no-op without `statePath`). */
  save(): void;
  /**
   * Load a RAM policy document (every later call is checked against it), or `null` to stop checking.
   * Throws an Error naming what is wrong with the document. Kept across `reset()`, like the credentials.
   */
  setRamPolicy(document: unknown): void;
  /** The loaded RAM policy document, or null when RAM checks are off (the default). */
  getRamPolicy(): Readonly<Record<string, unknown>> | null;
}

/** What an EmulatorEngine is built from (startEmulator builds one from its options). */
export interface EngineOptions {
  readonly credentials: readonly Credential[];
  readonly models: readonly ProductModel[];
  /** Emulator clock for models, ClientToken TTL, rate-limit buckets and call-log times. */
  readonly now: () => number;
  /** Clock for signature time windows and nonces (real time). */
  readonly realNow?: () => number;
  readonly clientTokenTtlMs?: number;
  readonly statePath?: string;
  readonly faultSeed?: number;
  /** Where the engine's own log lines go (start-up, state file); none when omitted. */
  readonly log?: (line: string) => void;
  /** Byte budget of the call log (default 16 MiB). */
  readonly callLogMaxBytes?: number;
  /** A RAM policy document to check every call against (ram.ts); default none (no RAM checks). */
  readonly ramPolicy?: unknown;
}

/** Default region for HostId when the request has no RegionId. */
const DEFAULT_REGION = "cn-hangzhou";

function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function isApiError(e: unknown): e is ApiError {
  // Duck-typed as well as instanceof, so an ApiError from a second copy of types.ts (src vs dist)
  // is still recognised.
  if (e instanceof ApiError) return true;
  const x = e as { name?: unknown; code?: unknown; status?: unknown; message?: unknown } | null;
  return (
    typeof x === "object" &&
    x !== null &&
    x.name === "ApiError" &&
    typeof x.code === "string" &&
    typeof x.status === "number" &&
    typeof x.message === "string"
  );
}

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

interface Resolution {
  /** The model the call is for, when dispatch succeeded. */
  readonly model: ProductModel | null;
  /** Best guess for error bodies (HostId / Recommend) even when dispatch failed. */
  readonly hint: ProductModel | null;
  readonly error: ApiError | null;
}

/** One API call after parsing (step 1); `errorProduct` improves as dispatch gets further. */
interface PreparedCall {
  readonly requestId: string;
  readonly method: string;
  readonly parsed: ParsedRequest | null;
  readonly parseError: unknown;
  readonly ident: ReturnType<typeof identify>;
  readonly resolution: Resolution;
  readonly params: Record<string, string>;
  errorProduct: ProductModel | null;
}

/** What the call log needs to know about how a call went. */
interface CallOutcomeState {
  def: ActionDefinition | undefined;
  fault: FaultKind | null;
  latencyMs: number;
  replayed: boolean;
  /** A `lost` fault fired: run the action, then drop the connection. */
  dropAfter: boolean;
}

/** A call that passed authentication, dispatch, rate limit and faults. */
interface Admitted {
  readonly model: ProductModel;
  readonly action: string;
  readonly def: ActionDefinition;
  readonly accessKeyId: string;
  readonly now: number;
}

export class EmulatorEngine implements EmulatorControl {
  readonly models: readonly ProductModel[];
  private readonly credentials: Map<string, Credential>;
  private readonly nonces = new NonceStore();
  private readonly tokens: ClientTokenStore;
  private readonly faults: FaultEngine;
  private readonly limiter = new RateLimiter();
  private readonly callLog: CallLog;
  private readonly now: () => number;
  private readonly realNow: () => number;
  private readonly log: (line: string) => void;
  private readonly statePath?: string;
  private ramPolicy: RamPolicy | null = null;

  constructor(opts: EngineOptions) {
    this.models = opts.models;
    const prefixes = new Set<string>();
    for (const m of opts.models) {
      const p = m.hostPrefix.toLowerCase();
      if (prefixes.has(p)) throw new Error(`two models share the host prefix "${p}"`);
      prefixes.add(p);
    }
    this.credentials = new Map(opts.credentials.map((c) => [c.accessKeyId, c]));
    this.now = opts.now;
    this.realNow = opts.realNow ?? Date.now;
    this.tokens = new ClientTokenStore(opts.clientTokenTtlMs ?? DEFAULT_CLIENT_TOKEN_TTL_MS);
    this.faults = new FaultEngine(opts.faultSeed);
    this.log = opts.log ?? (() => undefined);
    this.statePath = opts.statePath;
    this.callLog = new CallLog(undefined, opts.callLogMaxBytes);
    if (opts.ramPolicy !== undefined) this.setRamPolicy(opts.ramPolicy);
  }

  // -------------------------------------------------------------------------------------------
  // API calls
  // -------------------------------------------------------------------------------------------

  /** Answers one API request: parse, verify the signature, dispatch, apply rate limits and faults, log it. */
  handle(raw: RawRequest): ApiResponse {
    const call = this.prepare(raw);
    const outcome: CallOutcomeState = { def: undefined, fault: null, latencyMs: 0, replayed: false, dropAfter: false };
    let status = 200;
    let code: string | undefined;
    let body: Record<string, unknown>;
    try {
      const admitted = this.admit(call, outcome);
      if (admitted === "reset") {
        outcome.def = undefined; // nothing ran
        this.recordCall(call, outcome, { status: 0 });
        return { kind: "drop", delayMs: outcome.latencyMs };
      }
      const result = this.execute(call, admitted, outcome);
      // RequestId first (as the real API renders it) and always ours, whatever the model returned.
      body = { RequestId: call.requestId, ...result };
      body.RequestId = call.requestId;
    } catch (e) {
      const err = this.toApiError(e, call);
      status = err.status;
      code = err.code;
      body = this.errorBody(call.requestId, call.errorProduct, call.params.RegionId, err);
    }
    this.recordCall(call, outcome, code === undefined ? { status } : { status, code });
    if (outcome.dropAfter) return { kind: "drop", delayMs: outcome.latencyMs };
    return { kind: "reply", status, body, requestId: call.requestId, delayMs: outcome.latencyMs };
  }

  /** 1. parse, identify and resolve the product — failures are kept for `admit` to throw in order. */
  private prepare(raw: RawRequest): PreparedCall {
    let parsed: ParsedRequest | null = null;
    let parseError: unknown = null;
    try {
      parsed = parseRequest(raw);
    } catch (e) {
      parseError = e;
    }
    const ident = parsed
      ? identify(parsed)
      : { scheme: null, action: raw.headers["x-acs-action"]?.[0] ?? null, version: raw.headers["x-acs-version"]?.[0] ?? null, accessKeyId: null };
    const resolution = this.resolve(parsed?.path ?? "/", raw.headers.host?.[0], ident.version, ident.action);
    return {
      requestId: newRequestId(),
      method: raw.method.toUpperCase(),
      parsed,
      parseError,
      ident,
      resolution,
      params: parsed ? actionParams(parsed.merged) : {},
      errorProduct: resolution.hint,
    };
  }

  /** Steps 2–5: authenticate, dispatch, RAM, rate limit, faults. Throws the first failure. */
  private admit(call: PreparedCall, outcome: CallOutcomeState): Admitted | "reset" {
    if (call.parseError !== null) throw call.parseError;
    const verified = verifyRequest(call.parsed!, this.credentials, this.nonces, this.realNow());
    if (call.resolution.error) throw call.resolution.error;
    const model = call.resolution.model!;
    call.errorProduct = model;
    const action = call.ident.action!;
    const def = hasOwn(model.actions, action) ? model.actions[action] : undefined;
    if (!def) throw Errors.actionNotFound();
    outcome.def = def;
    const methods = def.methods ?? ["GET", "POST"];
    if (!(methods as readonly string[]).includes(call.method)) throw Errors.unsupportedMethod();
    authorize(this.ramPolicy, model.product, action, call.params, verified.accessKeyId);

    const now = this.now();
    if (!this.limiter.take(model.product, model.hostPrefix, action, now)) throw Errors.throttled();

    const decision = this.faults.evaluate(model.product, model.hostPrefix, action);
    outcome.latencyMs = decision.latencyMs;
    if (decision.fired.length > 0) outcome.fault = "latency";
    if (decision.terminal) {
      outcome.fault = decision.terminal.kind;
      if (decision.terminal.kind === "error") {
        const fe = faultError(decision.terminal);
        throw new ApiError(fe.code, fe.message, fe.status);
      }
      if (decision.terminal.kind === "reset") return "reset";
      outcome.dropAfter = true; // "lost": run the action, then drop the reply
    }
    return { model, action, def, accessKeyId: verified.accessKeyId, now };
  }

  /** Steps 6–9: ClientToken format, required parameters, replay, the model. */
  private execute(call: PreparedCall, a: Admitted, outcome: CallOutcomeState): Record<string, unknown> {
    const params = call.params;
    const token = a.def.idempotent && params.ClientToken !== undefined && params.ClientToken !== "" ? params.ClientToken : null;
    if (token !== null) validateClientToken(token);
    for (const name of a.def.required) {
      if (params[name] === undefined || params[name] === "") throw Errors.missingParameter(name);
    }
    const tokenKey = token !== null ? ClientTokenStore.key(a.accessKeyId, a.model.product, a.action, token) : null;
    const fingerprint = tokenKey !== null ? paramsFingerprint(params) : "";
    if (tokenKey !== null) {
      const hit = this.tokens.lookup(tokenKey, fingerprint, a.now);
      if (hit.kind === "mismatch") throw Errors.idempotentMismatch();
      if (hit.kind === "replay") {
        outcome.replayed = true;
        return hit.body;
      }
    }
    const ctx: RequestContext = {
      product: a.model.product,
      action: a.action,
      params,
      accessKeyId: a.accessKeyId,
      requestId: call.requestId,
      now: a.now,
    };
    const result = a.def.handle(ctx);
    if (typeof result !== "object" || result === null || Array.isArray(result)) {
      throw new Error(`${a.model.product}.${a.action} returned a non-object body`);
    }
    if (tokenKey !== null) this.tokens.remember(tokenKey, fingerprint, result, a.now);
    if (a.def.mutating) this.persist();
    return result;
  }

  /** An ApiError as is; anything else is a model bug → InternalError (logged). */
  private toApiError(e: unknown, call: PreparedCall): ApiError {
    if (isApiError(e)) return e;
    this.log(`InternalError in ${call.ident.action ?? "?"} (RequestId ${call.requestId}): ${(e as Error)?.stack ?? String(e)}`);
    return Errors.internal();
  }

  private recordCall(call: PreparedCall, o: CallOutcomeState, outcome: { status: number; code?: string }): void {
    const params = call.params;
    const rec = this.callLog.append({
      time: this.now(),
      requestId: call.requestId,
      product: (call.resolution.model ?? call.resolution.hint)?.product ?? null,
      action: call.ident.action,
      method: call.method,
      signature: call.ident.scheme,
      accessKeyId: call.ident.accessKeyId,
      params,
      clientToken: params.ClientToken !== undefined && params.ClientToken !== "" ? params.ClientToken : null,
      outcome: outcome.code === undefined ? { status: outcome.status } : outcome,
      mutating: !!o.def?.mutating && outcome.status === 200 && !o.replayed,
      fault: o.fault,
      replayed: o.replayed,
      latencyMs: o.latencyMs,
    });
    this.log(
      `${rec.seq} ${call.method} ${rec.product ?? "?"}.${rec.action ?? "?"} -> ${outcome.status === 0 ? "reset" : outcome.status}` +
        `${outcome.code ? ` ${outcome.code}` : ""}${o.fault ? ` [fault ${o.fault}]` : ""}${o.replayed ? " [replay]" : ""}`,
    );
  }

  /** `{RequestId, HostId, Code, Message, Recommend}` (api-facts.md §4), plus `AccessDeniedDetail` for a RAM denial. */
  errorBody(requestId: string, model: ProductModel | null, regionId: string | undefined, err: ApiError): Record<string, unknown> {
    // Assumption: HostId is the regional product host; unknown product → `pop`, invalid/missing
    // RegionId → cn-hangzhou.
    const region = regionId && /^[a-z0-9-]+$/.test(regionId) ? regionId : DEFAULT_REGION;
    const prefix = model?.hostPrefix ?? "pop";
    return {
      RequestId: requestId,
      HostId: `${prefix}.${region}.aliyuncs.com`,
      Code: err.code,
      Message: err.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=${model?.product ?? ""}&requestId=${requestId}`,
      ...(err instanceof RamDeniedError ? { AccessDeniedDetail: err.detail } : {}),
    };
  }

  /**
   * Product dispatch, in this order:
   *   1. path prefix `/<hostPrefix>` or `/<hostPrefix>/` (e.g. `/vpcipam/`) — explicit routing for
   *      raw clients that share one emulator address; any other path except `/` is
   *      InvalidAction.NotFound (RPC APIs live at `/`);
   *   2. first label of the Host header (`vpcipam.cn-hangzhou.aliyuncs.com`, `eipanycast.localhost:8080`);
   *   3. the version (`x-acs-version` header for V3, `Version` parameter for HMAC-SHA1):
   *      `2023-02-28` → VpcIpam, `2020-03-09` → Eipanycast.
   * When 1 or 2 picked a product, the version must be that product's version (else InvalidVersion).
   * If several models share a version, the one that defines the action wins.
   */
  private resolve(path: string, host: string | undefined, version: string | null, action: string | null): Resolution {
    const byPrefix = (p: string) => this.models.find((m) => m.hostPrefix.toLowerCase() === p.toLowerCase()) ?? null;
    let candidate: ProductModel | null = null;
    if (path !== "/" && path !== "") {
      const m = /^\/([^/]+)\/?$/.exec(path);
      candidate = m ? byPrefix(m[1]) : null;
      if (!candidate) return { model: null, hint: null, error: Errors.actionNotFound() };
    }
    if (!candidate && host) {
      const label = host.split(":")[0].split(".")[0];
      candidate = byPrefix(label);
    }
    if (candidate) {
      if (version === null) return { model: null, hint: candidate, error: Errors.missingParameter("Version") };
      if (version !== candidate.version) return { model: null, hint: candidate, error: Errors.invalidVersion() };
      return { model: candidate, hint: candidate, error: null };
    }
    if (version === null) return { model: null, hint: null, error: Errors.missingParameter("Version") };
    const matches = this.models.filter((m) => m.version === version);
    if (matches.length === 0) return { model: null, hint: null, error: Errors.invalidVersion() };
    const model = matches.find((m) => action !== null && hasOwn(m.actions, action)) ?? matches[0];
    return { model, hint: model, error: null };
  }

  // -------------------------------------------------------------------------------------------
  // Control plane
  // -------------------------------------------------------------------------------------------

  private modelByKey(key: string): ProductModel {
    const k = key.toLowerCase();
    const m = this.models.find((x) => x.hostPrefix.toLowerCase() === k || x.product.toLowerCase() === k);
    if (!m) throw new Error(`unknown product "${key}" (known: ${this.models.map((x) => x.hostPrefix).join(", ")})`);
    return m;
  }

  reset(): void {
    for (const m of this.models) m.reset();
    this.callLog.clear();
    this.tokens.clear();
    this.faults.clear();
    this.limiter.clear();
    this.persist();
  }

  seed(spec: Readonly<Record<string, unknown>>): Record<string, unknown> {
    if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new Error("seed body must be an object keyed by product");
    const entries = Object.entries(spec).map(([k, v]) => [this.modelByKey(k), v] as const); // validate all keys first
    const out: Record<string, unknown> = {};
    const now = this.now();
    for (const [m, v] of entries) if (v !== undefined) out[m.hostPrefix] = m.seed(v, now);
    this.persist();
    return out;
  }

  state(): Record<string, Record<string, unknown>> {
    const now = this.now();
    return Object.fromEntries(this.models.map((m) => [m.hostPrefix, m.inventory(now)]));
  }

  calls(since?: number): CallRecord[] {
    return this.callLog.list(since);
  }

  clearCalls(): void {
    this.callLog.clear();
  }

  addFault(rule: FaultRuleInput): FaultRule {
    this.checkProductField("fault rule", rule);
    return this.faults.add(rule);
  }

  /** A rule for a product no model serves, or an action none of them defines, would never match: refuse it. */
  private checkProductField(what: string, input: unknown): void {
    const rule = input as { product?: unknown; action?: unknown } | null;
    const product = rule?.product;
    let models = this.models;
    if (typeof product === "string" && product !== "*") {
      const k = product.toLowerCase();
      models = this.models.filter((m) => m.hostPrefix.toLowerCase() === k || m.product.toLowerCase() === k);
      if (models.length === 0) {
        const known = this.models.flatMap((m) => [m.product, m.hostPrefix]);
        throw new Error(`${what}: "product" must be one of ${known.join(", ")} or "*" (got "${product}")`);
      }
    }
    const action = rule?.action;
    if (typeof action !== "string" || action === "*" || action === "") return;
    if (models.some((m) => hasOwn(m.actions, action))) return;
    const served = models.map((m) => `${m.product}: ${Object.keys(m.actions).join(", ")}`).join("; ");
    throw new Error(`${what}: "action" must be "*" or an action the product serves (got "${action}"; ${served})`);
  }

  listFaults(): FaultRule[] {
    return this.faults.list();
  }

  removeFault(id: string): boolean {
    return this.faults.remove(id);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setFaultSeed(seed: number): void {
    if (typeof seed !== "number" || !Number.isFinite(seed)) throw new Error("fault seed must be a number");
    this.faults.setSeed(seed);
  }

  setRateLimit(limit: RateLimitInput): RateLimit | null {
    this.checkProductField("rate limit", limit);
    return this.limiter.set(limit, this.now());
  }

  listRateLimits(): RateLimit[] {
    return this.limiter.list(this.now());
  }

  clearRateLimits(): void {
    this.limiter.clear();
  }

  setTiming(timing: Readonly<Record<string, TransitionTiming>>): void {
    if (typeof timing !== "object" || timing === null || Array.isArray(timing)) throw new Error("timing body must be an object keyed by product");
    const entries = Object.entries(timing).map(([k, v]) => [this.modelByKey(k), v] as const);
    for (const [, v] of entries) {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("each product's timing must be an object");
      for (const [name, ms] of Object.entries(v)) {
        if (ms !== null && !(typeof ms === "number" && Number.isFinite(ms) && ms >= 0)) {
          throw new Error(`timing "${name}" must be a duration in ms >= 0, or null (hold until settle)`);
        }
      }
    }
    for (const [m, v] of entries) m.setTiming(v);
    this.persist();
  }

  getTiming(): Record<string, TransitionTiming> {
    return Object.fromEntries(this.models.map((m) => [m.hostPrefix, m.getTiming()]));
  }

  settle(): Record<string, number> {
    const now = this.now();
    const out = Object.fromEntries(this.models.map((m) => [m.hostPrefix, m.settle(now)]));
    this.persist();
    return out;
  }

  save(): void {
    this.persist();
  }

  setRamPolicy(document: unknown): void {
    this.ramPolicy = document === null ? null : parseRamPolicy(document);
    this.log(this.ramPolicy === null ? "RAM checks off" : `RAM policy loaded (${this.ramPolicy.statements.length} statements)`);
  }

  getRamPolicy(): Readonly<Record<string, unknown>> | null {
    return this.ramPolicy?.document ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Persistence
  // -------------------------------------------------------------------------------------------

  /** Restore from `statePath` if the file exists. Returns true when something was restored. */
  restoreFromFile(): boolean {
    if (!this.statePath) return false;
    for (const stale of removeStaleTempFiles(this.statePath)) this.log(`removed ${stale} (left by an interrupted state write)`);
    const s = readStateFile(this.statePath);
    if (!s) return false;
    for (const m of this.models) if (hasOwn(s.models, m.hostPrefix)) m.restore(s.models[m.hostPrefix]);
    this.tokens.restore(s.clientTokens);
    this.log(`restored state from ${this.statePath}`);
    return true;
  }

  private persist(): void {
    if (!this.statePath) return;
    const state: StateFile = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      savedAt: new Date(this.realNow()).toISOString(),
      models: Object.fromEntries(this.models.map((m) => [m.hostPrefix, m.snapshot()])),
      clientTokens: this.tokens.snapshot(),
    };
    try {
      writeStateFile(this.statePath, state);
    } catch (e) {
      // The call already happened; failing it now would lie about the cloud's state. Log loudly.
      this.log(`failed to write state file ${this.statePath}: ${(e as Error).message}`);
    }
  }
}

/** Splits and decodes the request target and a form body. Throws InvalidParameter on malformed encoding. */
export function parseRequest(raw: RawRequest): ParsedRequest {
  const q = raw.url.indexOf("?");
  const rawPath = q < 0 ? raw.url : raw.url.slice(0, q);
  const rawQuery = q < 0 ? "" : raw.url.slice(q + 1).split("#")[0];
  let path: string;
  try {
    path = decodeURIComponent(rawPath) || "/";
  } catch {
    throw Errors.invalidParameter("path", "The request path contains malformed percent-encoding.");
  }
  const query = parseUrlEncoded(rawQuery);
  const contentType = raw.headers["content-type"]?.[0];
  const form = isFormContentType(contentType) ? parseUrlEncoded(raw.body.toString("utf8")) : [];
  const merged = { ...pairsToRecord(query), ...pairsToRecord(form) };
  return { method: raw.method.toUpperCase(), path, query, form, merged, headers: raw.headers, body: raw.body };
}

/** Re-export for the server's convenience. */
export { header };
export type { ProductName };
