/**
 * The shape every resource's implementation has: the dynamic-provider methods, each given a CloudContext
 * built for that call. `check` and `diff` make no API call.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CloudContext } from "./cloud/context";
import { unknownRegionWarningLabel } from "./cloud/regions";
import { SettingsError } from "./cloud/settings";
import { IDENTITY_PROPERTY, ResourceIdentity, parseIdentity, resourceLineLabel, urnOf } from "./identity";
import { ResourceKind, typeTokenOf } from "./registry";
import { CREATE_TOKEN_PROPERTY, newCreateToken, parseCreateToken } from "./create-token";

export type Props = Record<string, unknown>;

/** The dynamic-provider methods as the engine calls them: untyped JSON in and out. */
export interface Lifecycle {
  /** Validates and fills in the program's arguments (no API call). */
  check(ctx: CloudContext, olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  /** What changed against the stored state, and whether it replaces the resource (no API call). */
  diff(ctx: CloudContext, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  /** Creates (or adopts) the cloud object; returns its ID and the outputs to store. */
  create(ctx: CloudContext, inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  /** Reads the cloud object (`pulumi refresh`); empty when it is gone. */
  read(ctx: CloudContext, id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  /** Applies in-place changes; returns the outputs to store. */
  update(ctx: CloudContext, id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  /** Checks, then releases (or detaches); refuses with ReleaseRefusedError before any release call. */
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

/**
 * The engine-facing lifecycle of a typed one: parses at the boundary, answers plain JSON. The hidden
 * `resourceIdentity` input is handled here for every resource: kept out of the resource's own check and
 * diff, copied into the outputs, and handed to each call as `ctx.resource` — whose progress lines then
 * name the resource (resourceLineLabel), the one place they get the name. So is the hidden (provider/create-token.ts): made fresh by every check (one already in the arguments is replaced), never a diff, handed to create as `ctx.createToken`; it stays in the inputs only.
 */
export function typedLifecycle<Inputs, Outputs>(parse: StateParsers<Inputs, Outputs>, typed: TypedLifecycle<Inputs, Outputs>): Lifecycle {
  const json = (o: Outputs, identity: ResourceIdentity | undefined): Props => {
    const out = plain(o as object);
    if (identity !== undefined) out[IDENTITY_PROPERTY] = identity;
    return out;
  };
  const stored = (ctx: CloudContext, props: Props, id: string): Outputs =>
    parse.fromState(props, id, typeof props.regionId === "string" && props.regionId !== "" ? undefined : providerRegionIfAny(ctx));
  const forResource = (ctx: CloudContext, ...sources: Props[]): [CloudContext, ResourceIdentity | undefined] => {
    const identity = sources.map((p) => parseIdentity(p[IDENTITY_PROPERTY])).find((i) => i !== undefined);
    if (identity === undefined) return [ctx, undefined];
    return [{ ...ctx, resource: identity, progress: (line) => ctx.progress(resourceLineLabel(identity, line)) }, identity];
  };
  return {
    async check(ctx, olds, news) {
      // A token in `news` (earlier checked inputs passed back, e.g. through ignoreChanges) is never kept.
      const { [IDENTITY_PROPERTY]: given, [CREATE_TOKEN_PROPERTY]: _earlierToken, ...args } = news;
      const [call, identity] = forResource(ctx, news);
      const result = await typed.check(call, olds, args);
      // A fresh token on every check, so a replacement or a later re-create never reuses an earlier one.
      const hidden: Props = { [CREATE_TOKEN_PROPERTY]: newCreateToken(ctx.clock.now()) };
      if (identity !== undefined) hidden[IDENTITY_PROPERTY] = identity;
      const inputs = result.inputs !== undefined ? { ...result.inputs, ...hidden } : undefined;
      // Set by the Resource classes and by check; anything else there is a program passing it by hand.
      const misused = given !== undefined && given !== null && identity === undefined && !isUnknown(given);
      const failures = [...(result.failures ?? [])];
      if (misused) failures.push({ property: IDENTITY_PROPERTY, reason: `${IDENTITY_PROPERTY} is set by this package's Resource classes; remove it from the arguments` });
      return { inputs, failures: result.failures === undefined && failures.length === 0 ? undefined : failures };
    },
    diff(ctx, id, olds, news) {
      const { [IDENTITY_PROPERTY]: _identity, [CREATE_TOKEN_PROPERTY]: _token, ...args } = news;
      const [call] = forResource(ctx, news, olds);
      return typed.diff(call, id, stored(ctx, olds, id), args);
    },
    async create(ctx, inputs) {
      const [withIdentity, identity] = forResource(ctx, inputs);
      const token = parseCreateToken(inputs[CREATE_TOKEN_PROPERTY])?.token;
      const call = token === undefined ? withIdentity : { ...withIdentity, createToken: token };
      try {
        const { id, outs } = await typed.create(call, parse.inputs(inputs));
        return { id, outs: json(outs, identity) };
      } catch (err) {
        // The object exists and goes into state with these properties: it keeps its identity too.
        if (err instanceof PartialCreateError && identity !== undefined) err.properties[IDENTITY_PROPERTY] = identity;
        throw err;
      }
    },
    async read(ctx, id, props) {
      const [call, identity] = forResource(ctx, props);
      const r = await typed.read(call, id, stored(ctx, props, id));
      return r.props === undefined ? {} : { id: r.id, props: json(r.props, identity) };
    },
    async update(ctx, id, olds, news) {
      const [call, identity] = forResource(ctx, news, olds);
      const { outs } = await typed.update(call, id, stored(ctx, olds, id), parse.inputs(news));
      return { outs: json(outs, identity) };
    },
    delete(ctx, id, props) {
      const [call] = forResource(ctx, props);
      return typed.delete(call, id, stored(ctx, props, id));
    },
  };
}

/** The URN of the resource a call is for, when its inputs or state carry its identity (see provider/identity.ts). */
export function resourceUrn(ctx: CloudContext, kind: ResourceKind): string | undefined {
  return ctx.resource === undefined ? undefined : urnOf(ctx.resource, typeTokenOf(kind));
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
