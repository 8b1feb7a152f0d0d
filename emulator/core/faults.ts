/**
 * Fault injection and per-action rate limits.
 *
 * Faults are evaluated after signature verification and dispatch (an unauthenticated or unknown
 * call never consumes a fault), and after the rate limit. Rules are evaluated in the order they
 * were added:
 *   - a rule matches when its `product` (ProductName or host prefix, case-insensitive; omitted =
 *     any) and `action` (`*` = any) match the call;
 *   - `afterCount: N` lets the first N matching calls through, then the rule becomes eligible;
 *   - `probability: p` (0..1) fires an eligible rule when the seeded PRNG draws < p (the PRNG
 *     is drawn only for eligible rules, so a fixed seed and call sequence replay exactly);
 *   - `count: N` fires on the next N eligible calls (that pass the probability draw), then the
 *     rule is removed;
 *   - `latency` rules add up (all that fire apply); the first `error` / `reset` / `lost` rule
 *     that fires ends the evaluation (later rules are not looked at, their counters don't move).
 *
 * What each kind does (the HTTP core carries it out):
 *   - `error`:   answer `code`/`status`/`message` (default ServiceUnavailable 503) without running
 *                the action;
 *   - `reset`:   destroy the socket before running the action (nothing committed, no reply);
 *   - `lost`:    run the action (committed, the call log says so), then destroy the socket without
 *                a reply — the classic "did my delete happen?" case;
 *   - `latency`: run the action immediately, delay the reply by `latencyMs` (provokes client read
 *                timeouts; the change is committed even if the client gave up).
 */
import { KNOWN_ERRORS } from "./errors";

/** What an injected fault does; see the module comment. */
export type FaultKind = "error" | "reset" | "lost" | "latency";
export const FAULT_KINDS: readonly FaultKind[] = ["error", "reset", "lost", "latency"];

/** A fault rule as added (`POST /_emulator/faults`, `control.addFault`). */
export interface FaultRuleInput {
  /** `VpcIpam` / `Eipanycast` or the host prefix (`vpcipam`); omitted = every product. */
  product?: string;
  /** Action name or `*`. */
  action: string;
  kind: FaultKind;
  /** For `error`: the error code (default `ServiceUnavailable`). */
  code?: string;
  /** For `error`: HTTP status (default: the code's usual status, else 400). */
  status?: number;
  /** For `error`: message (default: the code's usual message). */
  message?: string;
  /** For `latency`: delay in ms (required). */
  latencyMs?: number;
  /** 0..1; omitted = always. */
  probability?: number;
  /** Fire on the next N eligible calls, then expire. Omitted = forever. */
  count?: number;
  /** Skip the first N matching calls. */
  afterCount?: number;
  /** Seed of this rule's own PRNG (otherwise the engine-wide PRNG, see setSeed). */
  seed?: number;
}

/** A fault rule as stored: the input plus its id and counters. */
export interface FaultRule extends Readonly<FaultRuleInput> {
  readonly id: string;
  /** Matching calls seen so far. */
  readonly matched: number;
  /** Times fired. */
  readonly fired: number;
  /** Remaining firings for `count` rules, else null. */
  readonly remaining: number | null;
}

/** What the faults decided for one call. */
export interface FaultDecision {
  /** Total delay to add before replying / dropping. */
  readonly latencyMs: number;
  /** The `error` / `reset` / `lost` rule that fired, if any. */
  readonly terminal: FaultRule | null;
  /** Every rule that fired (latency ones included). */
  readonly fired: readonly FaultRule[];
}

/** mulberry32: tiny, fast, good enough for fault dice, and exactly reproducible from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_FAULT_SEED = 0x5eed;

/** Longest delay a Node timer honours (2^31 - 1 ms, about 24.8 days). */
export const MAX_LATENCY_MS = 2 ** 31 - 1;

interface LiveRule {
  rule: FaultRuleInput & { id: string };
  matched: number;
  fired: number;
  remaining: number | null;
  rng: (() => number) | null;
}

function isNonNegInt(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

/** Throws a plain Error (the control plane answers 400) when the rule is malformed. */
export function validateFaultRule(input: unknown): FaultRuleInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("a fault rule must be an object");
  const r = input as Record<string, unknown>;
  if (typeof r.action !== "string" || r.action === "") throw new Error('fault rule: "action" (string, or "*") is required');
  if (!FAULT_KINDS.includes(r.kind as FaultKind)) throw new Error(`fault rule: "kind" must be one of ${FAULT_KINDS.join(", ")}`);
  if (r.product !== undefined && typeof r.product !== "string") throw new Error('fault rule: "product" must be a string');
  if (r.code !== undefined && typeof r.code !== "string") throw new Error('fault rule: "code" must be a string');
  if (r.message !== undefined && typeof r.message !== "string") throw new Error('fault rule: "message" must be a string');
  if (r.status !== undefined && !(isNonNegInt(r.status) && r.status >= 400 && r.status <= 599)) {
    throw new Error('fault rule: "status" must be an HTTP error status (400-599)');
  }
  if (r.kind === "latency" && r.latencyMs === undefined) throw new Error(`fault rule: "latencyMs" (integer ms, 0-${MAX_LATENCY_MS}) is required for kind "latency"`);
  // Node's timers fire after 1 ms for any delay >= 2^31, so a larger value would silently mean "no delay".
  if (r.latencyMs !== undefined && !(isNonNegInt(r.latencyMs) && r.latencyMs <= MAX_LATENCY_MS)) {
    throw new Error(`fault rule: "latencyMs" must be an integer from 0 to ${MAX_LATENCY_MS} (got ${JSON.stringify(r.latencyMs)})`);
  }
  if (r.probability !== undefined && !(typeof r.probability === "number" && r.probability >= 0 && r.probability <= 1)) {
    throw new Error('fault rule: "probability" must be a number in [0, 1]');
  }
  if (r.count !== undefined && !(isNonNegInt(r.count) && r.count > 0)) throw new Error('fault rule: "count" must be a positive integer');
  if (r.afterCount !== undefined && !isNonNegInt(r.afterCount)) throw new Error('fault rule: "afterCount" must be a non-negative integer');
  if (r.seed !== undefined && !(typeof r.seed === "number" && Number.isFinite(r.seed))) throw new Error('fault rule: "seed" must be a number');
  const out: FaultRuleInput = { action: r.action, kind: r.kind as FaultKind };
  for (const k of ["product", "code", "status", "message", "latencyMs", "probability", "count", "afterCount", "seed"] as const) {
    if (r[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = r[k];
  }
  return out;
}

function productMatches(ruleProduct: string | undefined, product: string, hostPrefix: string): boolean {
  if (ruleProduct === undefined || ruleProduct === "*") return true;
  const p = ruleProduct.toLowerCase();
  return p === product.toLowerCase() || p === hostPrefix.toLowerCase();
}

export class FaultEngine {
  private rules: LiveRule[] = [];
  private nextId = 1;
  private rng: () => number;

  constructor(private seed: number = DEFAULT_FAULT_SEED) {
    this.rng = mulberry32(seed);
  }

  /** Re-seed the engine-wide PRNG (rules with their own seed are unaffected). */
  setSeed(seed: number): void {
    this.seed = seed;
    this.rng = mulberry32(seed);
  }

  add(input: unknown): FaultRule {
    const rule = { ...validateFaultRule(input), id: `fault-${this.nextId++}` };
    const live: LiveRule = {
      rule,
      matched: 0,
      fired: 0,
      remaining: rule.count ?? null,
      rng: rule.seed !== undefined ? mulberry32(rule.seed) : null,
    };
    this.rules.push(live);
    return view(live);
  }

  list(): FaultRule[] {
    return this.rules.map(view);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  /** Remove every rule and restart the engine-wide PRNG from its seed. */
  clear(): void {
    this.rules = [];
    this.rng = mulberry32(this.seed);
  }

  evaluate(product: string, hostPrefix: string, action: string): FaultDecision {
    let latencyMs = 0;
    let terminal: FaultRule | null = null;
    const fired: FaultRule[] = [];
    for (const live of [...this.rules]) {
      const r = live.rule;
      if (!productMatches(r.product, product, hostPrefix)) continue;
      if (r.action !== "*" && r.action !== action) continue;
      live.matched++;
      if (live.matched <= (r.afterCount ?? 0)) continue;
      if (r.probability !== undefined && (live.rng ?? this.rng)() >= r.probability) continue;
      live.fired++;
      if (live.remaining !== null) {
        live.remaining--;
        if (live.remaining <= 0) this.rules = this.rules.filter((x) => x !== live);
      }
      const v = view(live);
      fired.push(v);
      if (r.kind === "latency") {
        latencyMs += r.latencyMs ?? 0;
        continue;
      }
      terminal = v;
      break;
    }
    return { latencyMs, terminal, fired };
  }
}

function view(live: LiveRule): FaultRule {
  return { ...live.rule, matched: live.matched, fired: live.fired, remaining: live.remaining };
}

/** The error an `error` rule answers: its code (default ServiceUnavailable) with the usual status/message. */
export function faultError(rule: FaultRuleInput): { code: string; status: number; message: string } {
  const code = rule.code ?? "ServiceUnavailable";
  const known = KNOWN_ERRORS[code];
  return {
    code,
    status: rule.status ?? known?.status ?? 400,
    message: rule.message ?? (known ? known.message.replace(/\{\d+\}/g, "") : `The request failed with error ${code}.`),
  };
}

// ---------------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------------

/** A per-action token bucket as set (`POST /_emulator/rate-limits`, `control.setRateLimit`); a call over it answers `Throttling.User`. */
export interface RateLimitInput {
  /** ProductName or host prefix; omitted = every product. */
  product?: string;
  /** Action name or `*` (one bucket shared by every action the rule matches). */
  action: string;
  /** Sustained rate. `0` throttles every matching call; `null` removes the limit. */
  perSecond: number | null;
  /** Bucket size (burst); default max(1, perSecond), or 0 when perSecond is 0. */
  burst?: number;
}

/** A rate limit as stored, with the tokens left in its bucket. */
export interface RateLimit {
  readonly product?: string;
  readonly action: string;
  readonly perSecond: number;
  readonly burst: number;
  /** Tokens currently in the bucket. */
  readonly tokens: number;
}

interface Bucket {
  product?: string;
  action: string;
  perSecond: number;
  burst: number;
  tokens: number;
  last: number;
}

/**
 * Token buckets, one per rule (product, action). A call consumes one token from every bucket that
 * matches it; if any is empty the call is answered `Throttling.User` and consumes nothing.
 * The buckets refill on the emulator clock (`now` option), so tests with an injected clock are
 * deterministic and a frozen clock never refills.
 */
export class RateLimiter {
  private buckets: Bucket[] = [];

  set(input: unknown, nowMs: number): RateLimit | null {
    if (typeof input !== "object" || input === null) throw new Error("a rate limit must be an object");
    const r = input as Record<string, unknown>;
    if (typeof r.action !== "string" || r.action === "") throw new Error('rate limit: "action" (string, or "*") is required');
    if (r.product !== undefined && typeof r.product !== "string") throw new Error('rate limit: "product" must be a string');
    const product = r.product as string | undefined;
    const same = (b: Bucket) => b.action === r.action && (b.product ?? "").toLowerCase() === (product ?? "").toLowerCase();
    this.buckets = this.buckets.filter((b) => !same(b));
    if (r.perSecond === null) return null;
    if (!(typeof r.perSecond === "number" && Number.isFinite(r.perSecond) && r.perSecond >= 0)) {
      throw new Error('rate limit: "perSecond" must be a number >= 0 (or null to remove)');
    }
    const perSecond = r.perSecond;
    // A call needs one whole token: with perSecond > 0, a bucket smaller than 1 would never admit one.
    const minBurst = perSecond === 0 ? 0 : 1;
    if (r.burst !== undefined && !(typeof r.burst === "number" && Number.isInteger(r.burst) && r.burst >= minBurst)) {
      throw new Error(
        `rate limit: "burst" must be an integer >= ${minBurst}${perSecond === 0 ? "" : " when perSecond > 0"} (got ${JSON.stringify(r.burst)})`,
      );
    }
    const burst = (r.burst as number | undefined) ?? (perSecond === 0 ? 0 : Math.max(1, perSecond));
    const b: Bucket = { product, action: r.action, perSecond, burst, tokens: burst, last: nowMs };
    this.buckets.push(b);
    return bucketView(b);
  }

  clear(): void {
    this.buckets = [];
  }

  list(nowMs: number): RateLimit[] {
    for (const b of this.buckets) refill(b, nowMs);
    return this.buckets.map(bucketView);
  }

  /** True if the call may proceed (and consumes a token from every matching bucket). */
  take(product: string, hostPrefix: string, action: string, nowMs: number): boolean {
    const matching = this.buckets.filter(
      (b) => productMatches(b.product, product, hostPrefix) && (b.action === "*" || b.action === action),
    );
    for (const b of matching) refill(b, nowMs);
    if (matching.some((b) => b.tokens < 1)) return false;
    for (const b of matching) b.tokens -= 1;
    return true;
  }
}

function refill(b: Bucket, nowMs: number): void {
  const elapsed = Math.max(0, nowMs - b.last);
  b.tokens = Math.min(b.burst, b.tokens + (elapsed * b.perSecond) / 1000);
  b.last = Math.max(b.last, nowMs);
}

function bucketView(b: Bucket): RateLimit {
  return {
    ...(b.product !== undefined ? { product: b.product } : {}),
    action: b.action,
    perSecond: b.perSecond,
    burst: b.burst,
    tokens: b.tokens,
  };
}
