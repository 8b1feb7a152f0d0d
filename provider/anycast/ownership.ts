/**
 * The ownership tag an allocated Anycast EIP gets: `pulumi-alicloud-release:owner` =
 * `<project>/<stack>/<resource name>`, applied with the declared tags right after the allocation (the
 * allocation request takes no tags). It lets `pulumi-alicloud-release recover --list-orphans` find EIPs a
 * stack made that its state does not hold, and marks the EIPs of other stacks as not this one's.
 *
 * It is not a declared tag: `declaredTags` never holds it, so it is never managed, never drift and never
 * removed by an update; the program may not declare its key. Adopted EIPs are not tagged (they are not
 * this stack's making), and neither is an EIP whose program declares the most tags an EIP can carry.
 */
import { createHash } from "node:crypto";
import type { ResourceIdentity } from "../identity";
import { MAX_TAG_VALUE_LENGTH, MAX_TAGS } from "./validate";

export const OWNER_TAG_KEY = "pulumi-alicloud-release:owner";

/** The value for a resource: `<project>/<stack>/<name>`, shortened with a hash of the whole past 128 characters. */
export function ownerTagValue(identity: Pick<ResourceIdentity, "project" | "stack" | "name">): string {
  const full = `${identity.project}/${identity.stack}/${identity.name}`;
  if (full.length <= MAX_TAG_VALUE_LENGTH) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 12);
  return `${full.slice(0, MAX_TAG_VALUE_LENGTH - hash.length - 1)}~${hash}`;
}

/** The prefix every owner value of one stack starts with (names may be shortened, project and stack are not). */
export function stackOwnerPrefix(project: string, stack: string): string {
  return `${project}/${stack}/`;
}

/** The tags to apply at allocation: the declared ones plus the owner tag, when it fits and the resource is known. */
export function tagsWithOwner(declared: Record<string, string>, identity: ResourceIdentity | undefined): Record<string, string> {
  if (identity === undefined || Object.keys(declared).length >= MAX_TAGS) return declared;
  return { ...declared, [OWNER_TAG_KEY]: ownerTagValue(identity) };
}

/** `check`: the owner tag's key is this package's; a program declaring it is refused. */
export function ownerTagFailures(inputs: { tags?: unknown }): { property: string; reason: string }[] {
  const tags = inputs.tags;
  if (tags === null || typeof tags !== "object" || Array.isArray(tags) || !(OWNER_TAG_KEY in tags)) return [];
  return [{ property: `tags[${JSON.stringify(OWNER_TAG_KEY)}]`, reason: `the tag key ${OWNER_TAG_KEY} is reserved: this package sets it on the EIPs it allocates; use another key` }];
}
