/**
 * The shape every resource's implementation has: the dynamic-provider methods, each given a CloudContext
 * built for that call. `check` and `diff` make no API call.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CloudContext } from "./cloud/context";
import { SettingsError } from "./cloud/settings";

export type Props = Record<string, unknown>;

export interface Lifecycle {
  check(ctx: CloudContext, olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(ctx: CloudContext, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  create(ctx: CloudContext, inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  read(ctx: CloudContext, id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  update(ctx: CloudContext, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  delete(ctx: CloudContext, id: string, props: Props): Promise<void>;
}

/** Pulumi's marker for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return v === UNKNOWN;
}

/**
 * Thrown when a delete is refused by a pre-delete check. No release call has been made. The message says
 * what the resource is, why it is refused, and what to do.
 */
export class ReleaseRefusedError extends Error {
  constructor(
    readonly resource: string,
    readonly reason: string,
    readonly fix: string,
  ) {
    super(`refusing to release ${resource}: ${reason}. ${fix}`);
    this.name = "ReleaseRefusedError";
  }
}

/**
 * Thrown by create (and update) when a cloud object exists but a later step failed: the dynamic-provider
 * host sees `id` and `properties` and the engine keeps the object in state, so nothing leaks.
 */
export class PartialCreateError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
    readonly reasons: string[] = [message],
  ) {
    super(message);
    this.name = "PartialCreateError";
  }
}

/** Drops `undefined` (state is plain JSON) and `__provider` (the host manages it). */
export function plain(obj: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && k !== "__provider") out[k] = v;
  return out;
}

/**
 * `check`'s default for `regionId`: the provider region, filled into the inputs so a later change of
 * `alicloud:region` shows as a change. No region anywhere is a failure on `regionId`, saying how to set one.
 */
export function fillDefaultRegion(ctx: CloudContext, inputs: Props, failures: pulumi.dynamic.CheckFailure[]): void {
  if (inputs.regionId !== undefined) return;
  try {
    inputs.regionId = ctx.region();
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    failures.push({ property: "regionId", reason: err.message });
  }
}

/** The provider region for `diff` against state that has no `regionId` (earlier versions); undefined when none is set. */
export function providerRegionIfAny(ctx: CloudContext, olds: Props): string | undefined {
  if (olds.regionId !== undefined) return undefined;
  try {
    return ctx.region();
  } catch {
    return undefined;
  }
}
