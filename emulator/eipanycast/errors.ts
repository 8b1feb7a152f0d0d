/**
 * Eipanycast (2020-03-09) cloud errors: one factory per error code, with the HTTP status and message
 * the real service uses where we know them.
 *
 * Provenance (docs/api-facts.md §4, §7 and the ReleaseAnycastEipAddress API page, §7.6, which wins
 * where they disagree):
 *  - DOCUMENTED on the ReleaseAnycastEipAddress page (status, code and message verbatim):
 *    `OperationFailed.Conflict` 400, `OperationUnsupported.ServiceManaged` 400,
 *    `IncorrectStatus.Anycast` 400, `SystemBusy` 503.
 *  - DOCUMENTED elsewhere: `DryRunOperation` 400 (VpcIpam error list; the Eipanycast DryRun parameter
 *    descriptions name the same code), `ResourceNotFound.AnycastInstance` (the code Terraform matches
 *    as "gone"; the 404 status and the message are ASSUMPTIONS).
 *  - ASSUMED (no published list): `MissingParameter` wording, every `InvalidParameter.<Param>`,
 *    `ResourceNotFound.BindInstance`, `OperationConflict.BindInstanceExists`,
 *    `QuotaExceeded.AnycastEipAddress`.
 *
 * `OperationFailed.Conflict` and `SystemBusy` are never raised by the model's own rules: in the
 * emulator they come only from fault injection in the HTTP core. The factories are here so that the
 * core (and tests) can produce them with the documented wording.
 */
import { ApiError } from "../core/types";

/** Documented (ReleaseAnycastEipAddress). Fault injection only. */
export function operationFailedConflict(): ApiError {
  return new ApiError(
    "OperationFailed.Conflict",
    "Operation failed: The request was too frequent or there was a concurrency conflict. Please try again later.",
    400,
  );
}

/** Documented (ReleaseAnycastEipAddress), 503 for Eipanycast. Fault injection only. */
export function systemBusy(): ApiError {
  return new ApiError("SystemBusy", "The system is busy. Please try again later.", 503);
}

/**
 * Documented for Release. ASSUMPTION: the same error refuses Modify*, Associate, Unassociate and
 * UpdateAnycastEipAddressAssociations on a service-managed EIP.
 */
export function operationUnsupportedServiceManaged(): ApiError {
  return new ApiError(
    "OperationUnsupported.ServiceManaged",
    "Operation is forbidden because this instance belongs to Service manager.",
    400,
  );
}

/** Documented (ReleaseAnycastEipAddress): wrong status for the operation (associated, transitional, locked). */
export function incorrectStatusAnycast(): ApiError {
  return new ApiError("IncorrectStatus.Anycast", "The status of the Anycast instance is invalid.", 400);
}

/** Code documented (Terraform's not-found signal); status 404 and message are ASSUMPTIONS. */
export function resourceNotFoundAnycastInstance(): ApiError {
  return new ApiError("ResourceNotFound.AnycastInstance", "The specified Anycast instance does not exist.", 404);
}

/**
 * ASSUMPTION (code, status and message): Unassociate / UpdateAnycastEipAddressAssociations name a
 * binding the EIP does not have. The provider already classifies this code as "not found".
 */
export function resourceNotFoundBindInstance(): ApiError {
  return new ApiError(
    "ResourceNotFound.BindInstance",
    "The specified bind instance is not associated with the Anycast instance.",
    404,
  );
}

/** ASSUMPTION (code, status and message): Associate with an instance the EIP is already bound to. */
export function operationConflictBindInstanceExists(): ApiError {
  return new ApiError(
    "OperationConflict.BindInstanceExists",
    "The specified bind instance is already associated with the Anycast instance.",
    400,
  );
}

/** ASSUMPTION (code, status and message): the emulator's address pool is exhausted. */
export function quotaExceededAnycastEipAddress(): ApiError {
  return new ApiError("QuotaExceeded.AnycastEipAddress", "The quota of Anycast EIP addresses is exceeded.", 400);
}

/** Documented code and message (VpcIpam list, Eipanycast DryRun descriptions); 400. */
export function dryRunOperation(): ApiError {
  return new ApiError("DryRunOperation", "Request validation has been passed with DryRun flag set.", 400);
}

/** Common POP error; wording from api-facts.md §4 (exact code form is an ASSUMPTION: `MissingParameter`). */
export function missingParameter(param: string): ApiError {
  return new ApiError(
    "MissingParameter",
    `The input parameter "${param}" that is mandatory for processing this request is not supplied.`,
    400,
  );
}

/**
 * ASSUMPTION: invalid values are `InvalidParameter.<Param>` (400) with the common POP wording, plus a
 * short hint of the accepted values (the real messages vary; clients match on the code).
 */
export function invalidParameter(param: string, hint?: string): ApiError {
  const base = `The specified parameter "${param}" is not valid.`;
  return new ApiError(`InvalidParameter.${param}`, hint ? `${base} ${hint}` : base, 400);
}
