/**
 * Offline checks of resource inputs: pure functions, no API call, one `{property, reason}` per problem.
 * A value that is not known yet (the preview UNKNOWN sentinel) passes: it is checked when it is known.
 */
import { CONTROL_CHARACTER, MAX_TIMEOUT_SECONDS, rejectedValueLabel, unknownPropertyFailures } from "../input-names";
import { propertyNames } from "../properties";
import { ASSOCIATION_PROPERTIES, EIP_PROPERTIES } from "./state";
import { isUnknown } from "../lifecycle";
import {
  ASSOCIATION_MODES,
  BIND_INSTANCE_TYPES,
  INSTANCE_CHARGE_TYPES,
  INTERNET_CHARGE_TYPES,
  MAX_BANDWIDTH,
  MIN_BANDWIDTH,
  SERVICE_LOCATIONS,
} from "./types";

/** A rejected argument: the property and why (shown by `pulumi preview`). */
export interface CheckFailure {
  property: string;
  reason: string;
}

type Props = Record<string, unknown>;
type Rule = (value: unknown) => string | undefined;

/** Letters (any script, as the service accepts), digits, `_` and `-`, starting with a letter. */
export const NAME_PATTERN = /^\p{L}[\p{L}0-9_-]*$/u;
export const MAX_NAME_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 256;
export const ANYCAST_ID_PATTERN = /^aeip-[A-Za-z0-9]+$/;
export const RESOURCE_GROUP_PATTERN = /^rg-[A-Za-z0-9]+$/;
export const REGION_ID_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;
/**
 * Longest ID accepted (EIP, resource group, region, backend instance, pop location). The API documents no
 * limit; real IDs are 20–30 characters, so 64 is a sane cap that keeps a pasted blob off the wire.
 */
export const MAX_ID_LENGTH = 64;
/** A backend instance ID: a prefix and letters/digits, like `lb-d7oxbixhxv1uupnon` or `eni-bp1…`. */
export const BIND_INSTANCE_ID_PATTERN = /^[a-z]+-[A-Za-z0-9]+$/;
/** A pop location name, like `us-west-1-pop`. */
export const POP_LOCATION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** The longest `popLocations` list accepted (the docs give no limit; far more than there are pops). */
export const MAX_POP_LOCATIONS = 100;
/** Tag limits (TagResources, api-facts.md §7.8). */
export const MAX_TAGS = 20;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 128;
/** The longest `timeoutSeconds`: one day, the same cap as IpamPoolAllocation. */

const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;


/** An ID-like value: a string of at most MAX_ID_LENGTH characters matching `pattern`. */
function idRule(pattern: RegExp, like: string): Rule {
  return (v) => {
    if (typeof v !== "string") return `must be ${like}; got ${rejectedValueLabel(v)}`;
    if (v.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters (${like}); got ${v.length}`;
    return pattern.test(v) ? undefined : `must be ${like}; got ${rejectedValueLabel(v)}`;
  };
}

function oneOf(allowed: readonly string[]): Rule {
  return (v) =>
    typeof v === "string" && allowed.includes(v)
      ? undefined
      : `must be ${allowed.length === 1 ? `"${allowed[0]}" (the only documented value)` : `one of ${allowed.map((a) => `"${a}"`).join(", ")}`}; got ${rejectedValueLabel(v)}`;
}

/**
 * `serviceLocation`: the official SDK documents only "international" (the areas outside the Chinese
 * mainland), so only it is accepted; the refusal says so, because an example elsewhere (the official
 * Terraform provider's) uses "ChineseMainland" and a user who copied it needs to know why it is refused.
 */
const serviceLocationRule: Rule = (v) => {
  if (typeof v === "string" && (SERVICE_LOCATIONS as readonly string[]).includes(v)) return undefined;
  const copied = v === "ChineseMainland" ? `"ChineseMainland", which some examples use (the official Terraform provider's among them), is not a documented value; ` : "";
  return `must be "${SERVICE_LOCATIONS[0]}": the AllocateAnycastEipAddress API documents only this value (the areas outside the Chinese mainland); ${copied}got ${rejectedValueLabel(v)}`;
};

export const rules = {
  serviceLocation: serviceLocationRule,
  internetChargeType: oneOf(INTERNET_CHARGE_TYPES),
  instanceChargeType: oneOf(INSTANCE_CHARGE_TYPES),
  bindInstanceType: oneOf(BIND_INSTANCE_TYPES),
  associationMode: oneOf(ASSOCIATION_MODES),
  bandwidth: ((v) =>
    typeof v === "number" && Number.isInteger(v) && v >= MIN_BANDWIDTH && v <= MAX_BANDWIDTH
      ? undefined
      : `must be a whole number of Mbit/s from ${MIN_BANDWIDTH} to ${MAX_BANDWIDTH}; got ${rejectedValueLabel(v)}`) as Rule,
  name: ((v) => {
    if (typeof v !== "string") return `must be a string; got ${rejectedValueLabel(v)}`;
    if (v.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters; got ${v.length}`;
    if (v !== "" && !NAME_PATTERN.test(v)) return `must start with a letter and contain only letters, digits, "_" and "-"; got ${rejectedValueLabel(v)}`;
    return undefined;
  }) as Rule,
  description: ((v) => {
    if (typeof v !== "string") return `must be a string; got ${rejectedValueLabel(v)}`;
    if (v.length > MAX_DESCRIPTION_LENGTH) return `must be at most ${MAX_DESCRIPTION_LENGTH} characters; got ${v.length}`;
    if (/^https?:\/\//i.test(v)) return `must not start with http:// or https://`;
    if (CONTROL_CHARACTER.test(v)) return "must not contain control characters such as a newline or a tab";
    return undefined;
  }) as Rule,
  resourceGroupId: idRule(RESOURCE_GROUP_PATTERN, 'a resource group ID like "rg-acfm…"'),
  regionId: idRule(REGION_ID_PATTERN, 'a region ID like "cn-hangzhou"'),
  anycastId: idRule(ANYCAST_ID_PATTERN, 'an Anycast EIP ID like "aeip-bp1ix34fralt4ykf3"'),
  bindInstanceId: idRule(BIND_INSTANCE_ID_PATTERN, 'an instance ID like "lb-d7oxbixhxv1uupnon" or "eni-bp1…" (letters, digits and one "-")'),
  boolean: ((v) => (typeof v === "boolean" ? undefined : `must be true or false; got ${rejectedValueLabel(v)}`)) as Rule,
  nonEmptyString: ((v) => (typeof v === "string" && v.trim() !== "" ? undefined : `must be a non-empty string; got ${rejectedValueLabel(v)}`)) as Rule,
  ipv4: ((v) => (typeof v === "string" && IPV4_PATTERN.test(v) ? undefined : `must be an IPv4 address; got ${rejectedValueLabel(v)}`)) as Rule,
  timeoutSeconds: ((v) =>
    typeof v === "number" && Number.isFinite(v) && v > 0 && v <= MAX_TIMEOUT_SECONDS
      ? undefined
      : `must be a number of seconds between 1 and ${MAX_TIMEOUT_SECONDS}; got ${rejectedValueLabel(v)}`) as Rule,
  maxAttempts: ((v) =>
    typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 100 ? undefined : `must be a whole number from 1 to 100; got ${rejectedValueLabel(v)}`) as Rule,
  popLocations: ((v) => {
    if (!Array.isArray(v)) return `must be a list of pop location names; got ${rejectedValueLabel(v)}`;
    if (v.length > MAX_POP_LOCATIONS) return `must list at most ${MAX_POP_LOCATIONS} pop locations; got ${v.length}`;
    const seen = new Set<string>();
    for (const [i, item] of v.entries()) {
      if (isUnknown(item)) continue;
      if (typeof item !== "string" || item.length > MAX_ID_LENGTH || !POP_LOCATION_PATTERN.test(item))
        return `item ${i} must be a pop location name like "us-west-1-pop" (letters, digits, "_" and "-", at most ${MAX_ID_LENGTH} characters); got ${rejectedValueLabel(item)}`;
      if (seen.has(item)) return `lists ${rejectedValueLabel(item)} twice`;
      seen.add(item);
    }
    return undefined;
  }) as Rule,
};

/** Why a tag key or value is refused by TagResources, or undefined. */
function tagTextProblem(v: string, what: "key" | "value"): string | undefined {
  const max = what === "key" ? MAX_TAG_KEY_LENGTH : MAX_TAG_VALUE_LENGTH;
  if (what === "key" && v === "") return "a tag key must not be empty";
  if (v.length > max) return `the tag ${what} must be at most ${max} characters; got ${v.length}`;
  if (/^(aliyun|acs:)/i.test(v)) return `the tag ${what} must not start with "aliyun" or "acs:" (reserved); got ${rejectedValueLabel(v)}`;
  if (/https?:\/\//i.test(v)) return `the tag ${what} must not contain "http://" or "https://"; got ${rejectedValueLabel(v)}`;
  return undefined;
}

/** `tags`: a map of at most MAX_TAGS string values; each failure names the key, like `tags["acs:x"]`. */
function tagFailures(failures: CheckFailure[], props: Props): void {
  const tags = props.tags;
  if (tags === undefined || tags === null || isUnknown(tags)) return;
  if (typeof tags !== "object" || Array.isArray(tags)) {
    failures.push({ property: "tags", reason: `must be a map of tag keys to string values, like { env: "prod" }; got ${rejectedValueLabel(tags)}` });
    return;
  }
  const entries = Object.entries(tags as Props);
  if (entries.length > MAX_TAGS) failures.push({ property: "tags", reason: `must have at most ${MAX_TAGS} tags; got ${entries.length}` });
  for (const [key, value] of entries) {
    const property = `tags[${JSON.stringify(key)}]`;
    const problem = tagTextProblem(key, "key") ?? (isUnknown(value) ? undefined : typeof value !== "string" ? `the tag value must be a string; got ${rejectedValueLabel(value)}` : tagTextProblem(value, "value"));
    if (problem) failures.push({ property, reason: problem });
  }
}

/** Applies `rule` to `props[property]` unless it is absent (optional) or not known yet. */
function apply(failures: CheckFailure[], props: Props, property: string, rule: Rule, required = false): void {
  const v = props[property];
  if (isUnknown(v)) return;
  if (v === undefined || v === null) {
    if (required) failures.push({ property, reason: "is required" });
    return;
  }
  const reason = rule(v);
  if (reason) failures.push({ property, reason });
}

function limits(failures: CheckFailure[], props: Props): void {
  apply(failures, props, "regionId", rules.regionId);
  apply(failures, props, "timeoutSeconds", rules.timeoutSeconds);
  apply(failures, props, "maxAttempts", rules.maxAttempts);
}

/** Every problem with AnycastEipAddress inputs. */
export function validateAnycastEipAddress(props: Props): CheckFailure[] {
  const failures: CheckFailure[] = unknownPropertyFailures("AnycastEipAddress", props, propertyNames(EIP_PROPERTIES));
  apply(failures, props, "serviceLocation", rules.serviceLocation, true);
  apply(failures, props, "bandwidth", rules.bandwidth);
  apply(failures, props, "internetChargeType", rules.internetChargeType);
  apply(failures, props, "instanceChargeType", rules.instanceChargeType);
  apply(failures, props, "name", rules.name);
  apply(failures, props, "description", rules.description);
  apply(failures, props, "resourceGroupId", rules.resourceGroupId);
  tagFailures(failures, props);
  apply(failures, props, "detachOnDelete", rules.boolean);
  apply(failures, props, "adoptAnycastId", rules.anycastId);
  limits(failures, props);
  return failures;
}

/** Every problem with AnycastEipAssociation inputs. */
export function validateAnycastEipAssociation(props: Props): CheckFailure[] {
  const failures: CheckFailure[] = unknownPropertyFailures("AnycastEipAssociation", props, propertyNames(ASSOCIATION_PROPERTIES));
  apply(failures, props, "anycastId", rules.anycastId, true);
  apply(failures, props, "bindInstanceId", rules.bindInstanceId, true);
  apply(failures, props, "bindInstanceRegionId", rules.regionId, true);
  apply(failures, props, "bindInstanceType", rules.bindInstanceType, true);
  apply(failures, props, "privateIpAddress", rules.ipv4);
  apply(failures, props, "associationMode", rules.associationMode);
  apply(failures, props, "popLocations", rules.popLocations);
  limits(failures, props);
  const type = props.bindInstanceType;
  const ip = props.privateIpAddress;
  if (ip !== undefined && ip !== null && !isUnknown(ip) && !isUnknown(type) && type === "SlbInstance") {
    failures.push({ property: "privateIpAddress", reason: "applies only when bindInstanceType is \"NetworkInterface\"; remove it for an SlbInstance" });
  }
  return failures;
}
