import { startEmulator, RunningEmulator } from "../../emulator";
import { CloudContext, ContextOverrides, createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";

export const REGION = "cn-hangzhou";

/** The environment a provider process would have, pointed at the emulator, with zero backoff. */
export function emulatorEnv(emu: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
    ALIBABA_CLOUD_ENDPOINT_VPCIPAM: emu.url,
    ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: emu.url,
    ALIBABA_CLOUD_REGION: REGION,
    ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0",
    ALICLOUD_RELEASE_READ_TIMEOUT_MS: "2000",
    ...extra,
  };
}

/** A context as the provider builds it, over real HTTP with real signatures, collecting progress lines. */
export function emulatorContext(emu: RunningEmulator, overrides: ContextOverrides = {}, extraEnv: Record<string, string> = {}): CloudContext & { lines: string[] } {
  const lines: string[] = [];
  const progress = overrides.progress;
  const ctx = createContext(envSource(emulatorEnv(emu, extraEnv)), {
    ...overrides,
    progress: (l) => {
      lines.push(l);
      progress?.(l);
    },
  });
  return Object.assign(ctx, { lines });
}

export async function startTestEmulator(): Promise<RunningEmulator> {
  return startEmulator({ port: 0 });
}

/** Calls of one action in the emulator's log. */
export function callsOf(emu: RunningEmulator, action: string) {
  return emu.control.calls().filter((c) => c.action === action);
}
