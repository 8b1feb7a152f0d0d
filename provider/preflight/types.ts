/**
 * The destroy preflight's data: what it reads from a stack export, and the report it produces. The report
 * is what `pulumi-alicloud-release preflight --json` prints; its shape is versioned (`version`) and only
 * grows (new optional fields) within a version.
 */

import type { ResourceKind } from "../registry";

export type { ResourceKind };

/** One resource of a stack export (`deployment.resources[]`), as far as the preflight reads it. */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  /** Secrets already unwrapped where the export holds their plaintext; ciphertext is dropped. */
  outputs: Record<string, unknown>;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  parent?: string;
  deletedWith?: string;
  retainOnDelete: boolean;
  external: boolean;
  /** A replaced resource still waiting for its delete (`delete: true` in the export). */
  pendingDelete: boolean;
  /** Its provider reference (`<provider urn>::<provider id>`), when the export has one. */
  provider?: string;
}

/** The config the engine recorded in the state for one provider (a `pulumi:providers:*` resource's inputs). */
export interface StoredProviderConfig {
  /** Fully-qualified key → value as the provider receives it (objects as JSON text, secrets unwrapped). */
  values: Record<string, string>;
  /** Keys stored as secrets whose plaintext the export does not hold (it was exported without --show-secrets). */
  encrypted: string[];
}

/**
 * - `releasable`: destroy would delete it (for an EIP: possibly after waiting out a transition, or after
 *   this stack's AnycastEipAssociations / `detachOnDelete` detached it).
 * - `gone`: nothing left to release; destroy just drops it from the state.
 * - `refused`: the delete would refuse (or the service would reject the release): destroy fails here.
 * - `retained`: destroy does not call delete (`retainOnDelete`, or a read/external resource).
 * - `error`: could not be checked (credentials, endpoint, settings, unreadable state entry).
 */
export type PreflightVerdict = "releasable" | "gone" | "refused" | "retained" | "error";

/**
 * How destroy deals with one binding of an Anycast EIP:
 * - `association`: an AnycastEipAssociation of this stack that destroy deletes before the EIP detaches it;
 * - `detachOnDelete`: the EIP's stored `detachOnDelete: true` makes its delete detach it;
 * - `leaving`: it is already being detached (`UNBINDING`); the delete waits for it;
 * - `blocking`: nothing detaches it, so the release is refused.
 */
export type BindingHandling = "association" | "detachOnDelete" | "leaving" | "blocking";

export interface PreflightBinding {
  instanceId: string;
  instanceType: string;
  regionId: string;
  status: string;
  handling: BindingHandling;
  /** The AnycastEipAssociation of this stack for this binding, when there is one (even if it does not help). */
  associationUrn: string | null;
  /** Why a binding managed by this stack still blocks (no dependency on the EIP, retainOnDelete, deletedWith). */
  note: string | null;
}

export interface PreflightResult {
  urn: string;
  /** The resource name (last URN segment). */
  name: string;
  /** `IpamPoolAllocation`, `AnycastEipAddress` or `AnycastEipAssociation`. */
  type: ResourceKind;
  /** The ID in state (`""` when the state has none). */
  id: string;
  verdict: PreflightVerdict;
  /**
   * For `refused`: why the delete would refuse; `error`: what went wrong; the other verdicts: what the
   * check saw (e.g. `DeleteIpamPoolAllocation DryRun: would succeed (DryRunOperation)`).
   */
  reason: string;
  /** For `refused`: what to do about it; otherwise null. */
  fix: string | null;
  /** The region the delete would call (null when it could not be resolved or the check did not get that far). */
  region: string | null;
  /**
   * Anycast EIPs only (absent for other types): every current binding and how destroy deals with it;
   * empty when the EIP is gone or was not checked.
   */
  bindings?: PreflightBinding[];
  /** True for a replaced resource still waiting for its delete. */
  pendingDelete: boolean;
}

export interface PreflightSummary {
  total: number;
  releasable: number;
  gone: number;
  refused: number;
  retained: number;
  error: number;
}

/** Where the settings (credentials, region, endpoints, timeouts) the checks used came from. */
export interface PreflightSettings {
  /**
   * - `state`: each resource's provider config as the state recorded it at the last `pulumi up` — what
   *   `pulumi destroy` and `pulumi refresh` use — then environment variables;
   * - `stack-config`: the current stack config (`--run-program`, as `pulumi destroy --run-program`), then
   *   environment variables;
   * - `environment`: environment variables only (the state holds no provider config for the resources).
   */
  from: "state" | "stack-config" | "environment";
  /** The same in words, as the table prints it. */
  label: string;
}

export interface PreflightReport {
  /** The shape's version: 1. */
  version: 1;
  /** The stack name, when known. */
  stack: string | null;
  /** Where the resources came from: `pulumi stack export` or the `--state` file path. */
  source: string;
  /** Where the settings came from (absent only in reports built without it, e.g. by earlier versions). */
  settings?: PreflightSettings;
  /** 0 every resource releasable (or gone/retained), 2 some refused, 1 some could not be checked. */
  exitCode: 0 | 1 | 2;
  summary: PreflightSummary;
  /** In stack-export order. */
  resources: PreflightResult[];
}

/** A stack export (or another input) the preflight cannot use. */
export class PreflightInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PreflightInputError";
  }
}
