/**
 * ClientToken idempotency (api-facts.md §3).
 *
 * Documented: a token is client-generated, case-sensitive, ASCII, ≤ 64 characters; reusing it
 * with the same parameters returns the first submission's result with no further effect; reusing
 * it with different parameters fails with `IdempotentParameterMismatch`.
 *
 * Assumptions (undocumented, chosen here):
 * - tokens are scoped per (AccessKeyId, product, action);
 * - the replay carries a NEW RequestId (everything else is the first success body);
 * - a first call that FAILED is not remembered, so reusing its token re-executes the request;
 * - the remembered window is 24 h by default (configurable), measured on the emulator clock so
 *   tests can expire tokens without sleeping;
 * - "same parameters" = every action parameter except ClientToken itself (protocol/signature
 *   parameters are stripped before this point), compared as an order-independent set of
 *   name=value pairs, including parameters the action does not declare (e.g. RegionId);
 * - an empty `ClientToken=` is treated as "no token" (the SDK never sends an empty one).
 */
import { Errors } from "./errors";

export const DEFAULT_CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_CLIENT_TOKEN_LENGTH = 64;

interface Entry {
  fingerprint: string;
  /** First success body (without RequestId), as JSON so replays cannot be mutated by callers. */
  body: string;
  expiresAt: number;
}

export type TokenLookup =
  | { readonly kind: "miss" }
  | { readonly kind: "replay"; readonly body: Record<string, unknown> }
  | { readonly kind: "mismatch" };

export interface ClientTokenSnapshotEntry {
  key: string;
  fingerprint: string;
  body: string;
  expiresAt: number;
}

/** Throws an InvalidParameter naming ClientToken unless the token is printable ASCII and ≤ 64 chars. */
export function validateClientToken(token: string): void {
  if (token.length > MAX_CLIENT_TOKEN_LENGTH) {
    throw Errors.invalidParameter("ClientToken", `It must be at most ${MAX_CLIENT_TOKEN_LENGTH} characters long.`);
  }
  // Printable ASCII (0x20–0x7E). api-facts.md §5.7 uses a token with a space in it, so space is allowed.
  if (!/^[\x20-\x7e]*$/.test(token)) {
    throw Errors.invalidParameter("ClientToken", "It must contain only ASCII characters.");
  }
}

/** Order-independent identity of the action parameters, ClientToken excluded. */
export function paramsFingerprint(params: Readonly<Record<string, string>>): string {
  return JSON.stringify(
    Object.entries(params)
      .filter(([k]) => k !== "ClientToken")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

export class ClientTokenStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number = DEFAULT_CLIENT_TOKEN_TTL_MS,
    private readonly maxEntries = 100_000,
  ) {}

  static key(accessKeyId: string, product: string, action: string, token: string): string {
    return JSON.stringify([accessKeyId, product, action, token]);
  }

  lookup(key: string, fingerprint: string, nowMs: number): TokenLookup {
    const e = this.entries.get(key);
    if (!e) return { kind: "miss" };
    if (e.expiresAt <= nowMs) {
      this.entries.delete(key);
      return { kind: "miss" };
    }
    if (e.fingerprint !== fingerprint) return { kind: "mismatch" };
    return { kind: "replay", body: JSON.parse(e.body) as Record<string, unknown> };
  }

  remember(key: string, fingerprint: string, body: Record<string, unknown>, nowMs: number): void {
    this.prune(nowMs);
    this.entries.delete(key);
    this.entries.set(key, { fingerprint, body: JSON.stringify(body), expiresAt: nowMs + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  snapshot(): ClientTokenSnapshotEntry[] {
    return [...this.entries].map(([key, e]) => ({ key, ...e }));
  }

  restore(list: readonly ClientTokenSnapshotEntry[]): void {
    this.entries.clear();
    for (const e of list) this.entries.set(e.key, { fingerprint: e.fingerprint, body: e.body, expiresAt: e.expiresAt });
  }

  private prune(nowMs: number): void {
    for (const [key, e] of this.entries) {
      // Entries are inserted in clock order, so the first live one ends the scan. (With an
      // injected clock that goes backwards, a few expired entries may linger; lookup re-checks.)
      if (e.expiresAt > nowMs) break;
      this.entries.delete(key);
    }
  }
}
