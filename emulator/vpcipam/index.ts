/**
 * The VpcIpam (2023-02-28) product model for the emulator: IPAM pools (seeded) and pool allocations.
 *
 * VpcIpam has no transitional states (api-facts.md §6.1: an allocation is `Created` at once and gone
 * once deleted), so `settle` completes nothing and the timing table is always empty.
 */
import { ApiError, type ProductModel, type TransitionTiming } from "../core/types";
import { createVpcIpamActions } from "./handlers";
import { VpcIpamState } from "./model";

export type {
  AllocationRecord,
  AllocationResourceType,
  PoolRecord,
  VpcIpamSeedAllocation,
  VpcIpamSeedPool,
  VpcIpamSeedResult,
  VpcIpamSeedSpec,
  VpcIpamSnapshot,
} from "./model";
export { VpcIpamErrorCodes } from "./errors";

export const VPCIPAM_PRODUCT = "VpcIpam" as const;
export const VPCIPAM_VERSION = "2023-02-28";
export const VPCIPAM_HOST_PREFIX = "vpcipam";

export function createVpcIpamModel(): ProductModel {
  const state = new VpcIpamState();
  const actions = Object.freeze(createVpcIpamActions(state));
  return {
    product: VPCIPAM_PRODUCT,
    version: VPCIPAM_VERSION,
    hostPrefix: VPCIPAM_HOST_PREFIX,
    actions,
    reset() {
      state.reset();
    },
    /** Accepts a `VpcIpamSeedSpec`; returns a `VpcIpamSeedResult`. Invalid specs throw ApiError InvalidParameter. */
    seed(spec: unknown, now: number) {
      return state.seed(spec, now);
    },
    inventory(_now: number) {
      return state.inventory();
    },
    settle(_now: number) {
      return 0;
    },
    /** Only an empty table is accepted: there is nothing to time. */
    setTiming(timing: TransitionTiming) {
      const keys = Object.keys(timing ?? {});
      if (keys.length > 0) {
        throw new ApiError("InvalidParameter", `VpcIpam has no transitional states; unknown timing key(s): ${keys.join(", ")}`, 400);
      }
    },
    getTiming() {
      return {};
    },
    snapshot() {
      return state.snapshot();
    },
    restore(snapshot: unknown) {
      state.restore(snapshot);
    },
  };
}
