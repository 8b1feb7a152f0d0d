/** Anycast EIP resources: the public surface. */
export { AnycastEipAddress, AnycastEipAssociation } from "./resource";
export * from "./types";
export { validateAnycastEipAddress, validateAnycastEipAssociation } from "./validate";
export type { CheckFailure } from "./validate";
export { releaseVerdict, assertReleasable, AnycastReleaseRefusedError, describeEip } from "./checks";
export type { ReleaseVerdict, ReleaseOptions } from "./checks";
export { describeAnycastEip, parseEipRecord } from "./api";
export type { AnycastEipRecord, BindingRecord } from "./api";
export { anycastEipAddressLifecycle, releaseAnycastEipChecked } from "./eip-lifecycle";
export { anycastEipAssociationLifecycle, associationId, parseAssociationId } from "./association-lifecycle";
