/**
 * RAM authorization, off unless a policy is loaded (`--ram-policy FILE`, `POST /_emulator/ram-policy`,
 * `EmulatorOptions.ramPolicy`). The engine asks `authorize` after authentication and dispatch, before
 * rate limits and faults: every API call is mapped to its RAM action and the ARN of the resource it
 * acts on (the table below, the only place that knows them), and the loaded policy is evaluated the way
 * RAM evaluates an identity policy: an explicit Deny wins, otherwise an Allow must match, otherwise the
 * call is implicitly denied.
 *
 * What is modelled and what is not (emulator/README.md "RAM policy" and docs/ram.md say the same):
 * - `Effect`, `Action`, `Resource` (a string or a list). `*` matches any run of characters (`:` and `/`
 *   included) and `?` one character. Actions compare case-insensitively, resources case-sensitively
 *   (assumption: RAM's documentation does not spell out either).
 * - `Condition`, `NotAction` and `NotResource` are not evaluated: a policy that uses them is refused when
 *   loaded, never half-applied.
 * - The denial is `Forbidden.RAM`, HTTP 403, the documented message, plus an `AccessDeniedDetail` object
 *   naming the action and resource that were checked (shape after the RAM "access denied" troubleshooting
 *   page and DecodeDiagnosticMessage; see errors.ts and docs/ram.md).
 */
import { ApiError, type ProductName } from "./types";
import { KNOWN_ERRORS } from "./errors";

/**
 * The account id in every ARN the emulator checks: the same number the models report as OwnerId /
 * AliUid (vpcipam DEFAULT_ACCOUNT_ID, eipanycast ALI_UID), so a policy written for the emulator's
 * account reads like one written for a real one. Assumption: any fixed 16-digit id would do.
 */
export const EMULATOR_ACCOUNT_ID = "1234567890123456";

/** The region in an ARN when the request names none (Eipanycast requests carry no RegionId). */
const DEFAULT_ARN_REGION = "cn-hangzhou";

// ---------------------------------------------------------------------------------------------------
// The action table: API action → RAM action and the resource it is checked on.

/** How an action's resource is named: not resource-level (`*`), or an ARN built from the request. */
type ResourceOf = "all" | ((p: Readonly<Record<string, string>>, region: string) => string[]);

interface RamActionEntry {
  /** `<RamCode>:<Action>`. */
  readonly ramAction: string;
  readonly resource: ResourceOf;
}

const anycastArn = (region: string, id: string) => `acs:eipanycast:${region}:${EMULATOR_ACCOUNT_ID}:anycast/${id}`;
/** The EIP named by `AnycastId`. */
const byAnycastId: ResourceOf = (p, region) => [anycastArn(region, p.AnycastId ?? "")];
/** The EIPs named by `ResourceId` or `ResourceId.N` (tag and resource-group actions). */
const byResourceIds: ResourceOf = (p, region) => {
  const ids = Object.keys(p)
    .filter((k) => k === "ResourceId" || /^ResourceId\.\d+$/.test(k))
    .map((k) => p[k]);
  return (ids.length > 0 ? ids : [""]).map((id) => anycastArn(region, id));
};

/**
 * Every action the emulator serves. VpcIpam's RamCode is `vpc` (the Get/List pages name
 * `vpc:GetIpamPoolAllocation`, `vpc:ListIpamPools`, `vpc:ListIpamPoolAllocations`); the Create, Update
 * and Delete pages list no RAM action, and the `vpc:` names for them are an assumption. The pages give
 * Get and ListIpamPools the resource type IpamPool without showing its ARN, so every VpcIpam action is
 * checked on `*` here. Eipanycast: Allocate is documented on `anycast/*` and Release on
 * `anycast/{AnycastId}`; the other actions on one EIP are checked on that EIP's ARN (assumption: older
 * pages list them as "All Resources", so the documented policy grants them on `*`, which matches either way).
 * The List actions the read coalescer batches with (ListAnycastEipAddresses, ListIpamPoolAllocations) name
 * many objects or none and are checked on `*`: the ListIpamPoolAllocations page gives "All Resources";
 * `eipanycast:ListAnycastEipAddresses` on `*` is an assumption (docs/ram.md A4).
 */
export const RAM_ACTIONS: Readonly<Record<ProductName, Readonly<Record<string, RamActionEntry>>>> = {
  VpcIpam: {
    CreateIpamPoolAllocation: { ramAction: "vpc:CreateIpamPoolAllocation", resource: "all" },
    GetIpamPoolAllocation: { ramAction: "vpc:GetIpamPoolAllocation", resource: "all" },
    ListIpamPoolAllocations: { ramAction: "vpc:ListIpamPoolAllocations", resource: "all" },
    UpdateIpamPoolAllocation: { ramAction: "vpc:UpdateIpamPoolAllocation", resource: "all" },
    DeleteIpamPoolAllocation: { ramAction: "vpc:DeleteIpamPoolAllocation", resource: "all" },
    ListIpamPools: { ramAction: "vpc:ListIpamPools", resource: "all" },
    ListIpamPoolCidrs: { ramAction: "vpc:ListIpamPoolCidrs", resource: "all" },
  },
  Eipanycast: {
    AllocateAnycastEipAddress: { ramAction: "eipanycast:AllocateAnycastEipAddress", resource: (_p, region) => [anycastArn(region, "*")] },
    DescribeAnycastEipAddress: { ramAction: "eipanycast:DescribeAnycastEipAddress", resource: byAnycastId },
    ListAnycastEipAddresses: { ramAction: "eipanycast:ListAnycastEipAddresses", resource: "all" },
    ModifyAnycastEipAddressAttribute: { ramAction: "eipanycast:ModifyAnycastEipAddressAttribute", resource: byAnycastId },
    ModifyAnycastEipAddressSpec: { ramAction: "eipanycast:ModifyAnycastEipAddressSpec", resource: byAnycastId },
    AssociateAnycastEipAddress: { ramAction: "eipanycast:AssociateAnycastEipAddress", resource: byAnycastId },
    UnassociateAnycastEipAddress: { ramAction: "eipanycast:UnassociateAnycastEipAddress", resource: byAnycastId },
    UpdateAnycastEipAddressAssociations: { ramAction: "eipanycast:UpdateAnycastEipAddressAssociations", resource: byAnycastId },
    ReleaseAnycastEipAddress: { ramAction: "eipanycast:ReleaseAnycastEipAddress", resource: byAnycastId },
    DescribeAnycastServerRegions: { ramAction: "eipanycast:DescribeAnycastServerRegions", resource: "all" },
    DescribeAnycastPopLocations: { ramAction: "eipanycast:DescribeAnycastPopLocations", resource: "all" },
    TagResources: { ramAction: "eipanycast:TagResources", resource: byResourceIds },
    UntagResources: { ramAction: "eipanycast:UntagResources", resource: byResourceIds },
    ListTagResources: { ramAction: "eipanycast:ListTagResources", resource: "all" },
    ChangeResourceGroup: { ramAction: "eipanycast:ChangeResourceGroup", resource: byResourceIds },
  },
};

/** What one call is checked as: its RAM action and every resource ARN it touches. */
export interface RamRequest {
  readonly ramAction: string;
  readonly resources: readonly string[];
}

/** The RAM action and resources of one API call (`undefined` for an action the table does not know). */
export function ramRequestOf(product: ProductName, action: string, params: Readonly<Record<string, string>>): RamRequest | undefined {
  const entry = Object.prototype.hasOwnProperty.call(RAM_ACTIONS[product], action) ? RAM_ACTIONS[product][action] : undefined;
  if (!entry) return undefined;
  const region = params.RegionId && /^[a-z0-9-]+$/.test(params.RegionId) ? params.RegionId : DEFAULT_ARN_REGION;
  return { ramAction: entry.ramAction, resources: entry.resource === "all" ? ["*"] : entry.resource(params, region) };
}

// ---------------------------------------------------------------------------------------------------
// Policy documents

/** One statement of a RAM policy, as parsed: its effect and its Action / Resource patterns (`*`, `?` wildcards). */
export interface RamStatement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** A parsed RAM policy document: the statements the emulator evaluates (an explicit Deny wins). */
export interface RamPolicy {
  readonly statements: readonly RamStatement[];
  /** The document as loaded, for `GET /_emulator/ram-policy`. */
  readonly document: Readonly<Record<string, unknown>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === "string" && x !== "")) {
    throw new Error(`${where} must be a non-empty string or a non-empty list of strings`);
  }
  return list as string[];
}

const UNSUPPORTED_STATEMENT_KEYS = ["Condition", "NotAction", "NotResource", "Principal"];

function parseStatement(s: unknown, i: number): RamStatement {
  const where = `Statement[${i}]`;
  if (!isObject(s)) throw new Error(`${where} must be an object with Effect, Action and Resource`);
  for (const key of UNSUPPORTED_STATEMENT_KEYS) {
    if (key in s) throw new Error(`${where}.${key} is not evaluated by the emulator; remove it (the emulator checks Effect, Action and Resource only)`);
  }
  const unknown = Object.keys(s).filter((k) => !["Effect", "Action", "Resource", "Sid"].includes(k));
  if (unknown.length > 0) throw new Error(`${where} has unknown field(s) ${unknown.join(", ")}; a statement has Effect, Action and Resource`);
  if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new Error(`${where}.Effect must be "Allow" or "Deny" (got ${JSON.stringify(s.Effect)})`);
  const actions = stringList(s.Action, `${where}.Action`);
  for (const a of actions) {
    if (a !== "*" && !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/i.test(a)) throw new Error(`${where}.Action "${a}" is not "<ramcode>:<Action>" (e.g. "eipanycast:ReleaseAnycastEipAddress") or "*"`);
  }
  return { effect: s.Effect, actions, resources: stringList(s.Resource, `${where}.Resource`) };
}

/** Parses and checks a RAM policy document; throws an Error naming the first field that is wrong. */
export function parseRamPolicy(doc: unknown): RamPolicy {
  if (!isObject(doc)) throw new Error('a RAM policy must be a JSON object {"Version": "1", "Statement": [...]}');
  if (doc.Version !== "1") throw new Error(`RAM policy Version must be "1" (got ${JSON.stringify(doc.Version)})`);
  if (!Array.isArray(doc.Statement)) throw new Error("RAM policy Statement must be a list of statements");
  return { statements: doc.Statement.map(parseStatement), document: doc };
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

/** `*` any run of characters, `?` one character, everything else literal. */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function statementMatches(s: RamStatement, ramAction: string, resource: string): boolean {
  return s.actions.some((a) => wildcardMatches(a, ramAction, true)) && s.resources.some((r) => wildcardMatches(r, resource, false));
}

export type RamDecision = { readonly allowed: true } | { readonly allowed: false; readonly resource: string; readonly explicit: boolean };

/** Explicit Deny wins; every resource must be allowed; no matching Allow is an implicit deny. */
export function evaluateRamPolicy(policy: RamPolicy, request: RamRequest): RamDecision {
  for (const resource of request.resources) {
    const matching = policy.statements.filter((s) => statementMatches(s, request.ramAction, resource));
    if (matching.some((s) => s.effect === "Deny")) return { allowed: false, resource, explicit: true };
    if (!matching.some((s) => s.effect === "Allow")) return { allowed: false, resource, explicit: false };
  }
  return { allowed: true };
}

/** The error RAM answers for a denied call: `Forbidden.RAM`, 403, with AccessDeniedDetail. */
export class RamDeniedError extends ApiError {
  constructor(
    readonly detail: Readonly<Record<string, string>>,
  ) {
    super("Forbidden.RAM", KNOWN_ERRORS["Forbidden.RAM"].message, KNOWN_ERRORS["Forbidden.RAM"].status);
  }
}

/**
 * Throws `Forbidden.RAM` when `policy` does not allow the call. `accessKeyId` is reported as the principal
 * (the emulator has no RAM users: assumption, every access key acts as one RAM user of the account).
 */
export function authorize(policy: RamPolicy | null, product: ProductName, action: string, params: Readonly<Record<string, string>>, accessKeyId: string): void {
  if (policy === null) return;
  // An action outside the table is not served either: dispatch has answered InvalidAction.NotFound already.
  const request = ramRequestOf(product, action, params);
  if (!request) return;
  const decision = evaluateRamPolicy(policy, request);
  if (decision.allowed) return;
  const detail = {
    PolicyType: "AccountLevelIdentityBasedPolicy",
    NoPermissionType: decision.explicit ? "ExplicitDeny" : "ImplicitDeny",
    AuthAction: request.ramAction,
    AuthResource: decision.resource,
    AuthPrincipalType: "SubUser",
    AuthPrincipalOwnerId: EMULATOR_ACCOUNT_ID,
    AuthPrincipalDisplayName: accessKeyId,
    // The real one is an opaque token for ram:DecodeDiagnosticMessage; here the same facts, base64.
    EncodedDiagnosticMessage: Buffer.from(JSON.stringify({ AuthAction: request.ramAction, AuthResource: decision.resource }), "utf8").toString("base64"),
  };
  throw new RamDeniedError(detail);
}
