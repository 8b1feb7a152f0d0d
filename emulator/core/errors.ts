/**
 * Every cloud error the emulator's core can answer, defined once. Product models throw their own
 * product errors (`ResourceNotFound.IpamPoolAllocation`, …) via `ApiError`; the gateway-level
 * errors below (signature, throttling, idempotency, dispatch) live here so their code, HTTP
 * status and wording are consistent everywhere they are raised.
 *
 * Wording and statuses come from docs/api-facts.md §5.6 and §4; where those notes
 * mark something as an assumption, the comment on the entry says so.
 */
import { ApiError } from "./types";

/** Default status and message per code; also used to fill in fault rules that give only a code. */
export const KNOWN_ERRORS: Readonly<Record<string, { status: number; message: string }>> = {
  // Missing required parameter. Code form `MissingParameter` (vs `Missing<Name>`) is an assumption.
  MissingParameter: { status: 400, message: 'The input parameter "{0}" that is mandatory for processing this request is not supplied.' },
  // Wording is an assumption (api-facts.md §4).
  InvalidParameter: { status: 400, message: 'The specified parameter "{0}" is not valid.' },
  // Trigger conditions undocumented (assumption): missing/malformed Authorization or Signature,
  // a signed-header list that leaves out host or an x-acs-* header, an unsupported algorithm.
  IncompleteSignature: { status: 400, message: "The request signature does not conform to Aliyun standards." },
  SignatureDoesNotMatch: { status: 400, message: "Specified signature does not match our calculation." },
  // 404 confirmed by KMS's common error table.
  "InvalidAccessKeyId.NotFound": { status: 404, message: "Specified access key is not found." },
  "InvalidTimeStamp.Expired": { status: 400, message: "Specified time stamp or date value is expired." },
  // Assumption: the gateway uses this code for an unparsable date.
  "InvalidTimeStamp.Format": { status: 400, message: "Specified time stamp or date value is not well formatted." },
  SignatureNonceUsed: { status: 400, message: "Specified signature nonce was used already." },
  // Assumption: code and status for a missing/wrong STS token (the real STS answers
  // InvalidSecurityToken.Expired / .Malformed; the emulator has one static token, so "Mismatch").
  "InvalidSecurityToken.Mismatch": { status: 400, message: "Specified security token is not valid for this access key." },
  // Message confirmed; status 404 is an assumption (400 is also seen).
  "InvalidAction.NotFound": { status: 404, message: "Specified api is not found, please check your url and method." },
  // Message confirmed; status assumption.
  InvalidVersion: { status: 400, message: "Specified parameter Version is not valid." },
  // Assumption (code and status).
  UnsupportedHTTPMethod: { status: 400, message: "This http method is not supported." },
  // Seen with 400 in SDK errors; one product page lists 429 — 400 chosen (api-facts.md §4).
  "Throttling.User": { status: 400, message: "Request was denied due to user flow control." },
  "Throttling.Api": { status: 400, message: "Request was denied due to api flow control." },
  Throttling: { status: 400, message: "Request was denied due to request throttling." },
  // Status not documented (assumption 400); see api-facts.md §3.
  IdempotentParameterMismatch: {
    status: 400,
    message: "The request uses the same client token as a previous, but non-identical request.",
  },
  ServiceUnavailable: { status: 503, message: "The request has failed due to a temporary failure of the server." },
  InternalError: { status: 500, message: "The request processing has failed due to some unknown error, exception or failure." },
  // 503 documented for Eipanycast; some VPC products use 400 — a fault rule can override the status.
  SystemBusy: { status: 503, message: "The system is busy. Please try again later." },
  // Wording from the ReleaseAnycastEipAddress page (seed 003).
  "OperationFailed.Conflict": { status: 400, message: "Operation failed: The request was too frequent or there was a concurrency conflict. Please try again later." },
  "Forbidden.RAM": { status: 403, message: "User not authorized to operate on the specified resource, or this API doesn't support RAM." },
  DryRunOperation: { status: 400, message: "Request validation has been passed with DryRun flag set." },
};

function fill(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)] ?? "");
}

/** An ApiError for a known code (unknown codes: 400 and a generic message unless given). */
export function apiError(code: string, opts: { status?: number; message?: string; args?: readonly string[] } = {}): ApiError {
  const known = KNOWN_ERRORS[code];
  const message = opts.message ?? (known ? fill(known.message, opts.args ?? []) : `The request failed with error ${code}.`);
  return new ApiError(code, message, opts.status ?? known?.status ?? 400);
}

/** Small factories for the errors the core raises, so call sites read as the rule they enforce. */
export const Errors = {
  missingParameter: (name: string) => apiError("MissingParameter", { args: [name] }),
  invalidParameter: (name: string, detail?: string) =>
    apiError("InvalidParameter", {
      message: fill(KNOWN_ERRORS.InvalidParameter.message, [name]) + (detail ? ` ${detail}` : ""),
    }),
  incompleteSignature: (detail?: string) =>
    apiError("IncompleteSignature", {
      message: KNOWN_ERRORS.IncompleteSignature.message + (detail ? ` ${detail}` : ""),
    }),
  /** V3 wording from a public forum report (api-facts.md §5.6): the server StringToSign in brackets. */
  signatureMismatchV3: (serverStringToSign: string) =>
    apiError("SignatureDoesNotMatch", {
      message: `Specified signature does not match our calculation. server StringToSign is [${serverStringToSign}]`,
    }),
  /** HMAC-SHA1 wording, widely quoted (api-facts.md §5.6). */
  signatureMismatchV1: (serverStringToSign: string) =>
    apiError("SignatureDoesNotMatch", {
      message: `Specified signature is not matched with our calculation. server string to sign is:${serverStringToSign}`,
    }),
  /**
   * Assumption: a body whose SHA-256 differs from `x-acs-content-sha256` is reported as
   * SignatureDoesNotMatch (the real gateway's code for this case is undocumented).
   */
  contentHashMismatch: (serverHash: string) =>
    apiError("SignatureDoesNotMatch", {
      message: `Specified x-acs-content-sha256 does not match our calculation. server content sha256 is [${serverHash}]`,
    }),
  accessKeyNotFound: () => apiError("InvalidAccessKeyId.NotFound"),
  timestampExpired: () => apiError("InvalidTimeStamp.Expired"),
  timestampFormat: () => apiError("InvalidTimeStamp.Format"),
  nonceUsed: () => apiError("SignatureNonceUsed"),
  securityTokenMismatch: (detail?: string) =>
    apiError("InvalidSecurityToken.Mismatch", {
      message: KNOWN_ERRORS["InvalidSecurityToken.Mismatch"].message + (detail ? ` ${detail}` : ""),
    }),
  actionNotFound: () => apiError("InvalidAction.NotFound"),
  invalidVersion: () => apiError("InvalidVersion"),
  unsupportedMethod: () => apiError("UnsupportedHTTPMethod"),
  throttled: () => apiError("Throttling.User"),
  idempotentMismatch: () => apiError("IdempotentParameterMismatch"),
  internal: () => apiError("InternalError"),
} as const;
