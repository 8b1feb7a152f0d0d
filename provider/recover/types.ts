/**
 * What `pulumi-alicloud-release recover` reads (the pending operations a killed run left in a stack
 * export) and the report it produces. The report is what `recover --json` prints; its shape is versioned
 * (`version`) and only grows (new optional fields) within a version.
 */
import type { PreflightSettings } from "../preflight/types";
import type { ResourceKind } from "../registry";

export type Props = Record<string, unknown>;

/** One entry of `deployment.pending_operations`. */
export interface PendingOperation {
  /** `creating`, `updating`, `deleting` (also `reading`, `importing` from other commands). */
  type: string;
  urn: string;
  /** The last URN segment. */
  name: string;
  /** Undefined for resources that are not this package's. */
  kind?: ResourceKind;
  /** A delete's or update's cloud ID; a create has none. */
  id?: string;
  /** The recorded inputs, secrets unwrapped where the export holds their plaintext. */
  inputs: Props;
  /** The provider the operation ran with (`urn::id`): its config is stored in the state. */
  provider?: string;
  /** The export's resource object, exactly as it was (what goes back into the state). */
  raw: Props;
}

/** A resource of `deployment.resources`, as recover reads it. */
export interface StateEntry {
  urn: string;
  type: string;
  id?: string;
  inputs: Props;
  outputs: Props;
  /** A replaced resource waiting for its delete (`delete: true`). */
  pendingDelete: boolean;
  /** Its provider (`urn::id`), whose config the state stores. */
  provider?: string;
  raw: Props;
}

/** A parsed stack export: its resources, its pending operations, and the document to write back. */
export interface StackExport {
  /** From the stack's own URN (`urn:pulumi:<stack>::<project>::…`), when the export names one. */
  project?: string;
  stack?: string;
  resources: StateEntry[];
  pending: PendingOperation[];
  /** The whole document, untouched. */
  doc: Props;
}

/**
 * - `resume`: send the create again with its recorded ClientToken: the service answers with the object the
 *   interrupted create made (or makes it, if the create never reached it); the create's remaining steps run.
 * - `adopt`: a candidate named with `--adopt ID` becomes the resource.
 * - `clear`: nothing was made (or what was made is held by another resource): the pending create is dropped.
 * - `rerun`: an interrupted delete or update: running the command again is enough.
 * - `decide`: recover cannot settle it safely: the user decides (`next` says how).
 * - `none`: not this package's resource: left to its own provider.
 * - `error`: it could not be checked.
 */
export type RecoverAction = "resume" | "adopt" | "clear" | "rerun" | "decide" | "none" | "error";

/** A cloud object that may be the one an interrupted create made. */
export interface Candidate {
  id: string;
  /** e.g. `Anycast EIP aeip-1 (47.1.2.3, "web", Allocated, created 2026-…)`. */
  label: string;
  createTime?: string;
  /** The ownership tag's value, when the object carries one. */
  owner?: string;
}

export interface RecoverToken {
  token: string;
  issuedAt: string;
  ageSeconds: number;
  /** Whether the age is within `--replay-window`: only then may the create be sent again. */
  withinWindow: boolean;
}

export interface RecoverResult {
  /** The pending operation's type. */
  operation: string;
  urn: string;
  name: string;
  type: ResourceKind | null;
  /** The cloud ID in the state (deletes, updates), else "". */
  id: string;
  action: RecoverAction;
  /** True once the action was carried out (`--yes`); false in a plan. */
  done: boolean;
  /** The object put into the state (or that would be, when known). */
  objectId: string | null;
  candidates: Candidate[];
  /** The recorded create token, when there is one. */
  token: RecoverToken | null;
  /** What recover found (and did). */
  reason: string;
  /** What to do next, when anything. */
  next: string | null;
}

/** An object of this stack that its state does not hold (`--list-orphans`). */
export interface Orphan {
  type: ResourceKind;
  id: string;
  label: string;
  region: string;
  /** How it was found: its ownership tag, or as a candidate of a pending create (its URN). */
  via: string;
}

export interface RecoverSummary {
  pending: number;
  resume: number;
  adopt: number;
  clear: number;
  rerun: number;
  decide: number;
  none: number;
  error: number;
}

export interface RecoverReport {
  version: 1;
  stack: string | null;
  source: string;
  /**
   * Where the settings (region, endpoints, credentials) came from: the provider config stored in the
   * state (the default, as `pulumi destroy` reads it), the current stack config (`--run-program`), or the
   * environment only. Absent in reports built without it.
   */
  settings?: PreflightSettings;
  /** `--yes`: the actions were carried out. */
  applied: boolean;
  /** Whether a recovered state was written (`pulumi stack import`, or `--out`). */
  written: boolean;
  /** 0 done (or nothing needs a decision), 2 something needs a decision, 1 error. */
  exitCode: 0 | 1 | 2;
  summary: RecoverSummary;
  operations: RecoverResult[];
  /** Present with `--list-orphans`. */
  orphans?: Orphan[];
  /** What the user runs next. */
  next: string[];
}

/** A stack export (or another input) recover cannot use: nothing was changed. */
export class RecoverInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecoverInputError";
  }
}
