/**
 * Eipanycast tags and resource groups (api-facts.md §7.8): the tag rules the SDK models document, and the
 * pure operations on one EIP's tag list. No HTTP here (handlers.ts parses `Tag.N.*`), no clock.
 *
 * Documented (SDK request models of TagResources / UntagResources / ListTagResources): the resource type
 * is `ANYCASTEIPADDRESS`; at most 20 resource ids and 20 tags a request; a key is 1–128 characters, a
 * value 0–128; neither may start with `aliyun` or `acs:` nor contain `http://` / `https://`.
 * ASSUMPTIONS (emulator/README.md): at most 20 tags per EIP (the VPC tag limit); the error codes.
 */
import * as errors from "./errors";
import type { Tag } from "./model";

export const TAG_RESOURCE_TYPE = "ANYCASTEIPADDRESS";
export const MAX_TAGS_PER_REQUEST = 20;
export const MAX_RESOURCES_PER_REQUEST = 20;
export const MAX_TAGS_PER_RESOURCE = 20;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 128;

const RESERVED_PREFIXES = ["aliyun", "acs:"];

/** Why a tag key or value breaks the documented rules, or undefined when it is valid. */
function tagTextProblem(text: string, what: "key" | "value"): string | undefined {
  const max = what === "key" ? TAG_KEY_MAX : TAG_VALUE_MAX;
  if (what === "key" && text === "") return "A tag key cannot be empty.";
  if (text.length > max) return `A tag ${what} is at most ${max} characters.`;
  const lower = text.toLowerCase();
  if (RESERVED_PREFIXES.some((p) => lower.startsWith(p))) return `A tag ${what} cannot start with "aliyun" or "acs:".`;
  if (/https?:\/\//i.test(text)) return `A tag ${what} cannot contain "http://" or "https://".`;
  return undefined;
}

/** `Tag.N.Key` / `TagKey.N`: throws InvalidParameter.TagKey naming `param`. */
export function checkTagKey(key: string, param: string): void {
  const problem = tagTextProblem(key, "key");
  if (problem) throw errors.invalidTag("TagKey", param, problem);
}

/** `Tag.N.Value`: throws InvalidParameter.TagValue naming `param`. */
export function checkTagValue(value: string, param: string): void {
  const problem = tagTextProblem(value, "value");
  if (problem) throw errors.invalidTag("TagValue", param, problem);
}

/** `ResourceType` must be the one the SDK documents (case-sensitive: ASSUMPTION). */
export function checkResourceType(resourceType: string): void {
  if (resourceType !== TAG_RESOURCE_TYPE) {
    throw errors.invalidParameter("ResourceType", `Valid value: ${TAG_RESOURCE_TYPE}.`);
  }
}

/**
 * `tags` merged into `current`: a key already present gets the new value (its position is kept), new keys
 * are appended. Throws QuotaExceeded.TagNum when the result exceeds the per-resource limit.
 */
export function mergedTags(current: readonly Tag[], tags: readonly Tag[], anycastId: string): Tag[] {
  const out = current.map((t) => ({ ...t }));
  for (const t of tags) {
    const existing = out.find((o) => o.key === t.key);
    if (existing) existing.value = t.value;
    else out.push({ key: t.key, value: t.value });
  }
  if (out.length > MAX_TAGS_PER_RESOURCE) throw errors.quotaExceededTagNum(anycastId, MAX_TAGS_PER_RESOURCE);
  return out;
}

/** `current` without `keys`; `undefined` keys removes every tag (ASSUMPTION, see UntagResources). */
export function withoutTags(current: readonly Tag[], keys: readonly string[] | undefined): Tag[] {
  if (keys === undefined) return [];
  return current.filter((t) => !keys.includes(t.key)).map((t) => ({ ...t }));
}

/** Every filter tag is on the resource; a filter without a value matches any value. */
export function hasAllTags(current: readonly Tag[], filter: readonly { key: string; value?: string }[]): boolean {
  return filter.every((f) => current.some((t) => t.key === f.key && (f.value === undefined || t.value === f.value)));
}

/** A resource group id as the docs show them (`rg-` and letters/digits). */
export function checkResourceGroupId(id: string, param: string): void {
  if (!/^rg-[A-Za-z0-9]+$/.test(id)) throw errors.invalidParameter(param, "A resource group id looks like rg-xxxx.");
}
