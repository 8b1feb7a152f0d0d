/**
 * Which Pulumi resource a lifecycle call is for. The engine tells a dynamic provider neither the URN nor
 * the resource name (pulumi/pulumi#9434), so each Resource class passes its project, stack, name and
 * parent's URN as one hidden input, `resourceIdentity`. The runtime boundary ({@link typedLifecycle})
 * takes it off the inputs before the resource's own check, copies it into the outputs (so a `destroy`
 * from state knows it too) and hands it to the lifecycle on the CloudContext. It is never a diff: a
 * renamed stack or an alias changes no cloud object.
 *
 * State written before this property existed has none: messages then fall back to the cloud ID and say
 * how to list URNs.
 */
import type * as pulumi from "@pulumi/pulumi";

export const IDENTITY_PROPERTY = "resourceIdentity";

/** The Pulumi resource a call is for, as its Resource class passes it. */
export interface ResourceIdentity {
  project: string;
  stack: string;
  /** The name given to the Resource constructor. */
  name: string;
  /** The parent's URN when the resource has an explicit parent other than the stack. */
  parentUrn?: string;
}

/** The hidden input a Resource class registers (its name and options as given to the constructor). */
export function identityInputOf(name: string, opts: pulumi.CustomResourceOptions | undefined, runtime: { getProject(): string; getStack(): string }): pulumi.Input<ResourceIdentity> {
  const base = { project: runtime.getProject(), stack: runtime.getStack(), name };
  const parent = opts?.parent;
  if (parent === undefined) return base;
  // The URN is an Output of the parent; the engine resolves it before this resource's check runs.
  return parent.urn.apply((parentUrn) => ({ ...base, parentUrn }));
}

/** The identity in raw inputs or stored state; undefined when absent or not the shape this module writes. */
export function parseIdentity(v: unknown): ResourceIdentity | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const texts = [o.project, o.stack, o.name].every((s) => typeof s === "string" && s !== "");
  if (!texts || (o.parentUrn !== undefined && typeof o.parentUrn !== "string")) return undefined;
  const identity: ResourceIdentity = { project: o.project as string, stack: o.stack as string, name: o.name as string };
  if (typeof o.parentUrn === "string" && o.parentUrn !== "") identity.parentUrn = o.parentUrn;
  return identity;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The resource's URN, as the engine computes it: `urn:pulumi:<stack>::<project>::<types>::<name>`, where
 * `<types>` is the parent's type chain, `$`, this type — except under the root stack resource, whose type
 * is left out. Undefined when the parent's URN is not one the engine writes.
 */
export function urnOf(identity: ResourceIdentity, typeToken: string): string | undefined {
  const prefix = `urn:pulumi:${identity.stack}::${identity.project}::`;
  if (identity.parentUrn === undefined) return `${prefix}${typeToken}::${identity.name}`;
  const parts = identity.parentUrn.split("::");
  if (parts.length < 4 || !identity.parentUrn.startsWith("urn:pulumi:")) return undefined;
  const parentTypes = parts[2];
  const types = parentTypes === STACK_TYPE ? typeToken : `${parentTypes}$${typeToken}`;
  return `${prefix}${types}::${identity.name}`;
}

/** `"web-eip"` — how progress and error lines name the Pulumi resource, or undefined when unknown. */
export function resourceNameLabel(identity: ResourceIdentity | undefined): string | undefined {
  return identity === undefined ? undefined : JSON.stringify(identity.name);
}

/**
 * A progress line of a call for this resource, naming it in front: `"web": releasing IPAM pool allocation
 * ipam-pool-alloc-1: attempt 1 failed …`. The engine shows a dynamic provider's progress lines under the
 * stack, not under the resource, so without the name two resources doing the same thing (two allocations
 * created in one pool) print the same line. Unchanged when the resource is not known.
 */
export function resourceLineLabel(identity: ResourceIdentity | undefined, line: string): string {
  const name = resourceNameLabel(identity);
  return name === undefined ? line : `${name}: ${line}`;
}

/** `'…'` for a POSIX shell: a `'` inside closes the quote, is escaped, and reopens it. */
function shellQuoted(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command a fix gives to take a resource out of the state without releasing it: the exact command
 * when the URN is known (computed from the stored identity by delete and diff, read from the state by
 * preflight), else the placeholder, the resource's cloud ID and how to list URNs (state written before
 * `resourceIdentity` existed). Pulumi asks for URNs in single quotes: they contain `$` under a component.
 */
export function stateDeleteCommandLabel(resource: { urn?: string; id: string }): string {
  if (resource.urn !== undefined) return `\`pulumi state delete ${shellQuoted(resource.urn)}\``;
  return `\`pulumi state delete <urn>\` with the URN of the resource whose ID is ${resource.id}, which \`pulumi stack --show-urns --show-ids\` lists`;
}
