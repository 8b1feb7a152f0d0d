/**
 * A permission denial names the permission that is missing. RAM answers `Forbidden.RAM` (or
 * `NoPermission` / `NotAuthorized` on some products) with a generic message; the action and resource it
 * checked come in the body's `AccessDeniedDetail` (`AuthAction`, `AuthResource`, `NoPermissionType`), which
 * openapi-client passes on but nothing shows. So the error's message gets them appended; when the body has
 * no such detail, the API action that was called is named instead, so the user always sees what to grant.
 */
import { CloudError } from "./errors";

/**
 * The codes of a RAM (authorization) denial, after the RAM "access denied" troubleshooting page. Other
 * `Forbidden.*` codes are not about permissions (they get a label only when they carry AccessDeniedDetail).
 */
export const PERMISSION_DENIED_CODES: ReadonlySet<string> = new Set(["Forbidden.RAM", "NoPermission", "NotAuthorized"]);

function detailOf(err: unknown): Record<string, unknown> | undefined {
  const e = err as { data?: { AccessDeniedDetail?: unknown }; accessDeniedDetail?: unknown } | null;
  const d = e?.data?.AccessDeniedDetail ?? e?.accessDeniedDetail;
  return d && typeof d === "object" && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * `Missing RAM permission: eipanycast:ReleaseAnycastEipAddress on acs:eipanycast:…:anycast/aeip-… (ImplicitDeny)`,
 * or, without AccessDeniedDetail, `Missing RAM permission for API action ReleaseAnycastEipAddress`.
 */
export function missingPermissionLabel(err: unknown, apiAction: string): string {
  const detail = detailOf(err);
  const action = text(detail?.AuthAction);
  if (!action) return `Missing RAM permission for API action ${apiAction} (see docs/ram.md for its RAM action)`;
  const resource = text(detail?.AuthResource);
  const type = text(detail?.NoPermissionType);
  return `Missing RAM permission: ${action}${resource ? ` on ${resource}` : ""}${type ? ` (${type})` : ""}`;
}

/** The same error with the missing permission in its message, when it is a RAM denial; else unchanged. */
export function withMissingPermission(cloud: CloudError, err: unknown, apiAction: string): CloudError {
  if (!PERMISSION_DENIED_CODES.has(cloud.code) && !text(detailOf(err)?.AuthAction)) return cloud;
  const stop = /[.!?]$/.test(cloud.cloudMessage) ? "" : ".";
  return new CloudError({ ...cloud.fields(), message: `${cloud.cloudMessage}${stop} ${missingPermissionLabel(err, apiAction)}` });
}

/**
 * What to grant so that `apiAction` is allowed, after `error` denied it: the RAM action the denial's
 * AccessDeniedDetail names (`eipanycast:ListAnycastEipAddresses`), or, when it names none, "the RAM
 * permission for <API action>" (the error's own message then points to docs/ram.md, see
 * missingPermissionLabel). Undefined when `error` is no permission denial.
 */
export function permissionToGrantLabel(error: CloudError, apiAction: string): string | undefined {
  const action = text(detailOf(error.cause)?.AuthAction);
  if (action) return action;
  return PERMISSION_DENIED_CODES.has(error.code) ? `the RAM permission for ${apiAction}` : undefined;
}
