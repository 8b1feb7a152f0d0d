/** Anycast EIP resources: the public surface. */
export { AnycastEipAddress, AnycastEipAssociation } from "./resource";
export * from "./types";
export { validateAnycastEipAddress, validateAnycastEipAssociation } from "./validate";
export type { CheckFailure } from "./validate";
export { releaseVerdict, assertReleasable, AnycastReleaseRefusedError, eipLabel } from "./checks";
/** The earlier name of {@link eipLabel} (it formats text; it makes no API call), kept for existing imports. */
export { eipLabel as describeEip } from "./checks";
export type { ReleaseVerdict, ReleaseOptions } from "./checks";
export { describeAnycastEip, parseEipRecord } from "./api";
export type { AnycastEipRecord, BindingKey, BindingRecord } from "./api";
export { anycastEipAddressLifecycle, releaseAnycastEipChecked } from "./eip-lifecycle";
export { anycastEipAssociationLifecycle, associationId, parseAssociationId } from "./association-lifecycle";
