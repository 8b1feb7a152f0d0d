/**
 * Local stand-in for Alibaba Cloud's VpcIpam (2023-02-28) and Eipanycast (2020-03-09) RPC APIs.
 * See emulator/README.md.
 */
export {
  startEmulator,
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_HOST,
  type EmulatorOptions,
  type RunningEmulator,
} from "./server";
export { EmulatorEngine, type EmulatorControl, type EngineOptions, type RawRequest, type ApiResponse } from "./core/engine";
export type { CallRecord, CallOutcome } from "./core/calllog";
export type { FaultKind, FaultRule, FaultRuleInput, FaultDecision, RateLimit, RateLimitInput } from "./core/faults";
export type { Credential, SignatureScheme } from "./core/auth";
export { KNOWN_ERRORS, apiError } from "./core/errors";
export * from "./core/types";
export * as signature from "./core/signature";
export { providerEnvFor } from "./client-env";
export { EIPANYCAST_INSTANT_TIMING } from "./eipanycast";
export type { TransitionName } from "./eipanycast/model";
export { parseRamPolicy, ramRequestOf, EMULATOR_ACCOUNT_ID, type RamPolicy, type RamRequest, type RamStatement } from "./core/ram";
