/**
 * Destroy preflight: predicts, without changing anything, which of a stack's IpamPoolAllocation,
 * AnycastEipAddress and AnycastEipAssociation resources `pulumi destroy` would release and which it would
 * refuse — by running the delete hooks' own read-only inspections. The command is
 * `pulumi-alicloud-release preflight` (cli/preflight.ts).
 */
export * from "./types";
export { parseStackExport, kindOf, nameOfUrn, deletedBefore, MAX_EXPORT_VERSION } from "./state";
export { checkAllocation, checkAssociation, checkEip } from "./inspect";
export type { Finding } from "./inspect";
export { runPreflight, summarize, ourResources } from "./run";
export type { PreflightOptions } from "./run";
export { formatReport, verdictText, bindingText } from "./format";
