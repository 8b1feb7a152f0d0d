/**
 * Where the live suite and the sweeper run: the real cloud (settings from the environment, credentials
 * passed through the environment and never written into stack config), or the bundled emulator, started
 * here with the documented RAM policies loaded, so the same scenarios also prove that those policies are
 * enough for the suite, the preflight and the sweeper.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { EIPANYCAST_INSTANT_TIMING, RunningEmulator, startEmulator } from "../../emulator";
import { CloudContext, createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { Operation, operationOf } from "../../provider/operation";
import { emulatorTarget, StackTarget } from "../e2e/harness";
import { emulatorEnv } from "../helpers/cloud";
import { LiveSettings } from "./settings";

/** The documented policies a live run's RAM user has attached: the lifecycle, the preflight, the sweeper. */
export const LIVE_POLICY_FILES = ["ram-policy.json", "ram-policy-preflight.json", "ram-policy-sweep.json"] as const;

/** The union of LIVE_POLICY_FILES as one document (what RAM evaluates for a user with all three attached). */
export function livePolicy(): { Version: "1"; Statement: unknown[] } {
  const docs = LIVE_POLICY_FILES.map((f) => JSON.parse(readFileSync(path.join(__dirname, "..", "..", "docs", f), "utf8")) as { Statement: unknown[] });
  return { Version: "1", Statement: docs.flatMap((d) => d.Statement) };
}

/** Environment variables the provider reads that a live run passes through to the Pulumi CLI. */
const PASSED_THROUGH = /^(ALIBABA_CLOUD_|ALICLOUD_)/;

export interface LiveTarget {
  readonly settings: LiveSettings;
  /** What a TestStack needs to point its provider here. */
  readonly stack: StackTarget;
  /** A context as the provider builds it from the same settings (direct calls, checks); progress to stderr unless given. */
  context(progress?: (line: string) => void): CloudContext;
  /** One operation in the target's region, with a generous deadline. */
  operation(deadlineSeconds?: number): Operation;
  /** The emulator, in emulator mode. */
  readonly emulator: RunningEmulator | null;
  close(): Promise<void>;
}

export interface OpenTargetOptions {
  /** Emulator mode: its clock (the sweeper's self-check moves it). */
  now?: () => number;
  /** Emulator mode: load the documented policies (default true). */
  ramPolicy?: boolean;
}

/** Opens the target of `settings`: starts and seeds the emulator in emulator mode. */
export async function openTarget(settings: LiveSettings, options: OpenTargetOptions = {}): Promise<LiveTarget> {
  if (settings.mode === "cloud") {
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => PASSED_THROUGH.test(e[0]) && e[1] !== undefined));
    const context = (progress?: (line: string) => void) => createContext(envSource(env), progress ? { progress } : {});
    return {
      settings,
      stack: { config: { "alicloud:region": settings.region }, secretConfig: {}, env },
      context,
      operation: (deadlineSeconds = 600) => operationOf(context(), { regionId: settings.region, timeoutSeconds: deadlineSeconds }),
      emulator: null,
      close: async () => undefined,
    };
  }
  const emu = await startEmulator({ port: 0, ...(options.now ? { now: options.now } : {}), ...(options.ramPolicy === false ? {} : { ramPolicy: livePolicy() }) });
  emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
  emu.control.seed({ vpcipam: { pools: [{ ipamPoolId: settings.poolId, regionId: settings.region, cidrs: ["10.42.0.0/16"] }] } });
  const context = (progress?: (line: string) => void) => createContext(envSource(emulatorEnv(emu)), progress ? { progress } : {});
  return {
    settings,
    stack: emulatorTarget(emu),
    context,
    operation: (deadlineSeconds = 60) => operationOf(context(), { regionId: settings.region, timeoutSeconds: deadlineSeconds }),
    emulator: emu,
    close: () => emu.close(),
  };
}
