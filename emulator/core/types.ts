/**
 * The contract between the emulator's HTTP core (signatures, ClientToken replay, faults, rate limits,
 * call log, control plane) and the per-product models (VpcIpam, Eipanycast).
 *
 * A model owns its state and its rules; it never sees HTTP. The core parses and verifies a request,
 * then calls `ActionDefinition.handle` with the merged, un-flattened-as-strings parameters.
 */

/** One cloud error, raised by a model or the core and serialized as the real error body. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The products the emulator serves. */
export type ProductName = "VpcIpam" | "Eipanycast";

/** Parameters as received: query string merged with a form body; lists stay flattened (`Name.N.Field`). */
export type Params = Readonly<Record<string, string>>;

/** What an action's handler gets: the verified request. */
export interface RequestContext {
  readonly product: ProductName;
  readonly action: string;
  readonly params: Params;
  readonly accessKeyId: string;
  readonly requestId: string;
  /** Emulator clock in epoch milliseconds (injectable, so transitions can be driven without sleeps). */
  readonly now: number;
}

/** One API action of a product model. */
export interface ActionDefinition {
  /** True when a successful call changes the inventory (used by call-log assertions: preview/preflight make none). */
  readonly mutating: boolean;
  /** True when the action takes `ClientToken` (the core then replays or rejects reused tokens). */
  readonly idempotent: boolean;
  /** Parameters whose absence is `MissingParameter` (checked by the core before `handle`). */
  readonly required: readonly string[];
  /** HTTP methods the action accepts; default both GET and POST. */
  readonly methods?: readonly ("GET" | "POST")[];
  /** Runs the action; returns the success body without `RequestId` (the core adds it). Throws ApiError. */
  handle(ctx: RequestContext): Record<string, unknown>;
}

/** Durations (ms) of asynchronous transitions; `null` = hold until driven by the control plane. */
export type TransitionTiming = Record<string, number | null>;

/** One product's model: its actions, inventory and transitions, behind the shared HTTP core. */
export interface ProductModel {
  readonly product: ProductName;
  readonly version: string;
  /** First label of the product's real host name (`vpcipam`, `eipanycast`). */
  readonly hostPrefix: string;
  readonly actions: Readonly<Record<string, ActionDefinition>>;
  /** Forget everything (inventory, pools, pending transitions); timing back to defaults. */
  reset(): void;
  /** Add seeded objects (pools, VPC allocations, service-managed/associated EIPs…); returns what was created. */
  seed(spec: unknown, now: number): unknown;
  /** The whole inventory as plain JSON, after applying every transition due at `now`. */
  inventory(now: number): Record<string, unknown>;
  /** Complete every pending transition now (no sleeps in tests). Returns how many were completed. */
  settle(now: number): number;
  /** Replace transition durations by name (e.g. `{ Associating: 0, Releasing: 500 }`). */
  setTiming(timing: TransitionTiming): void;
  /** The transition durations in effect. */
  getTiming(): TransitionTiming;
  /** Plain-JSON snapshot for `--state FILE`, and its inverse. */
  snapshot(): unknown;
  /** Replaces the inventory with a `snapshot()`'s. */
  restore(snapshot: unknown): void;
}
