/**
 * The Eipanycast (2020-03-09) product model for the emulator's HTTP core.
 *
 * Timing names (ms, `null` = hold until settle): Allocating 0, Associating 2000, Unassociating 2000,
 * Modifying 1000, Releasing 2000. Seed spec: {@link EipanycastSeedSpec}.
 */
import { ProductModel, TransitionTiming } from "../core/types";
import { createActions } from "./handlers";
import { EipanycastModel } from "./model";

export type {
  EipanycastSeedSpec,
  EipanycastSeedEip,
  EipanycastSeedBinding,
  EipanycastSeedResult,
  TransitionName as EipanycastTransitionName,
} from "./model";
export { DEFAULT_TIMING as EIPANYCAST_DEFAULT_TIMING, INSTANT_TIMING as EIPANYCAST_INSTANT_TIMING, SERVER_REGIONS, POP_LOCATIONS, EipanycastModel } from "./model";
export * as eipanycastErrors from "./errors";

export function createEipanycastModel(): ProductModel {
  const model = new EipanycastModel();
  const actions = Object.freeze(createActions(model));
  return {
    product: "Eipanycast",
    version: "2020-03-09",
    hostPrefix: "eipanycast",
    actions,
    reset: () => model.reset(),
    seed: (spec: unknown, now: number) => model.seed(spec, now),
    inventory: (now: number) => model.inventory(now),
    settle: (now: number) => model.settle(now),
    setTiming: (timing: TransitionTiming) => model.setTiming(timing),
    getTiming: () => model.getTiming(),
    snapshot: () => model.snapshot(),
    restore: (snapshot: unknown) => model.restore(snapshot),
  };
}
