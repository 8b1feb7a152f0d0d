/**
 * The shape every resource's implementation has: the dynamic-provider methods, each given a CloudContext
 * built for that call. `check` and `diff` make no API call.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CloudContext } from "./cloud/context";
import { unknownRegionWarningLabel } from "./cloud/regions";
import { SettingsError } from "./cloud/settings";

export type Props = Record<string, unknown>;

/** The dynamic-provider methods as the engine calls them: untyped JSON in and out. */
export interface Lifecycle {
  check(ctx: CloudContext, olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(ctx: CloudContext, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  create(ctx: CloudContext, inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  read(ctx: CloudContext, id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  update(ctx: CloudContext, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  delete(ctx: CloudContext, id: string, props: Props): Promise<void>;
}

/**
 * A resource's implementation over typed state, like @pulumi/pulumi's `ResourceProvider<Inputs, Outputs>`:
 * `Inputs` are the checked inputs, `Outputs` the stored state. `check` validates the raw inputs and `diff`
 * sees them raw too (during preview any of them may be the UNKNOWN sentinel); everything else gets values
 * parsed once, at the runtime boundary ({@link typedLifecycle}).
 */
export interface TypedLifecycle<Inputs, Outputs> {
  check(ctx: CloudContext, olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(ctx: CloudContext, id: string, olds: Outputs, news: Props): Promise<pulumi.dynamic.DiffResult>;
  create(ctx: CloudContext, inputs: Inputs): Promise<{ id: string; outs: Outputs }>;
  read(ctx: CloudContext, id: string, props: Outputs): Promise<{ id?: string; props?: Outputs }>;
  update(ctx: CloudContext, id: string, olds: Outputs, news: Inputs): Promise<{ outs: Outputs }>;
  delete(ctx: CloudContext, id: string, props: Outputs): Promise<void>;
}

/** How a resource's raw JSON becomes typed values: checked inputs, and stored state of any version. */
export interface StateParsers<Inputs, Outputs> {
  inputs(props: Props): Inputs;
  /**
   * Stored state as this version types it; defaults for what state written by earlier versions lacks —
   * `providerRegion` for a missing `regionId` (it was the provider's region then; undefined when none is set).
   */
  fromState(props: Props, id: string, providerRegion?: string): Outputs;
}

/** The engine-facing lifecycle of a typed one: parses at the boundary, answers plain JSON. */
export function typedLifecycle<Inputs, Outputs>(parse: StateParsers<Inputs, Outputs>, typed: TypedLifecycle<Inputs, Outputs>): Lifecycle {
  const json = (o: Outputs): Props => plain(o as object);
  const stored = (ctx: CloudContext, props: Props, id: string): Outputs =>
    parse.fromState(props, id, typeof props.regionId === "string" && props.regionId !== "" ? undefined : providerRegionIfAny(ctx));
  return {
    check: (ctx, olds, news) => typed.check(ctx, olds, news),
    diff: (ctx, id, olds, news) => typed.diff(ctx, id, stored(ctx, olds, id), news),
    async create(ctx, inputs) {
      const { id, outs } = await typed.create(ctx, parse.inputs(inputs));
      return { id, outs: json(outs) };
    },
    async read(ctx, id, props) {
      const r = await typed.read(ctx, id, stored(ctx, props, id));
      return r.props === undefined ? {} : { id: r.id, props: json(r.props) };
    },
    async update(ctx, id, olds, news) {
      const { outs } = await typed.update(ctx, id, stored(ctx, olds, id), parse.inputs(news));
      return { outs: json(outs) };
    },
    delete: (ctx, id, props) => typed.delete(ctx, id, stored(ctx, props, id)),
  };
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

/**
 * `check` of the Anycast resources: the program's arguments without `null`s (an unset input) and
 * `__provider`, `fill` (the table's defaults and any of the resource's own), validation, then the provider
 * region as `regionId`'s default.
 */
export function checkArguments(ctx: CloudContext, news: Props, fill: (inputs: Props) => void, validate: (inputs: Props) => pulumi.dynamic.CheckFailure[]): pulumi.dynamic.CheckResult {
  const inputs: Props = {};
  for (const [k, v] of Object.entries(news)) if (v !== undefined && v !== null && k !== "__provider") inputs[k] = v;
  fill(inputs);
  const failures = validate(inputs);
  fillDefaultRegion(ctx, inputs, failures);
  return { inputs, failures };
}

/** Drops `undefined` (state is plain JSON) and `__provider` (the host manages it). */
export function plain(obj: object): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && k !== "__provider") out[k] = v;
  return out;
}

/**
 * `check`'s default for `regionId`: the provider region, filled into the inputs so a later change of
 * `alicloud:region` shows as a change. No region anywhere is a failure on `regionId`, saying how to set one.
 * A region the official endpoint data does not know, given or defaulted, gets a warning line.
 */
export function fillDefaultRegion(ctx: CloudContext, inputs: Props, failures: pulumi.dynamic.CheckFailure[]): void {
  const explicit = inputs.regionId !== undefined;
  if (!explicit) {
    try {
      inputs.regionId = ctx.region();
    } catch (err) {
      if (!(err instanceof SettingsError)) throw err;
      failures.push({ property: "regionId", reason: err.message });
      return;
    }
  }
  // A region the endpoint data does not know is warned about at preview, not refused (see regions.ts).
  const region = inputs.regionId;
  if (typeof region !== "string" || isUnknown(region) || failures.some((f) => f.property === "regionId")) return;
  const warning = unknownRegionWarningLabel(region, explicit ? "regionId" : "the default region (alicloud:region or env ALIBABA_CLOUD_REGION)");
  if (warning) ctx.progress(warning);
}

/** The provider region for `diff` against state that has no `regionId` (earlier versions); undefined when none is set. */
export function providerRegionIfAny(ctx: CloudContext): string | undefined {
  try {
    return ctx.region();
  } catch {
    return undefined;
  }
}
