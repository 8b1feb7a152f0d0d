import { providerEnvFor, RunningEmulator } from "../../emulator";
import { CloudContext, ContextOverrides, createContext } from "../../provider/cloud/context";
import { envSource } from "../../provider/cloud/settings";
import { Lifecycle, Props } from "../../provider/lifecycle";

export const REGION = "cn-hangzhou";

/**
 * A read timeout no call to a local emulator reaches, however loaded the machine: a call that outlived a
 * shorter one would be retried and change the calls a test counts. Tests of the read timeout set their own.
 */
const TEST_READ_TIMEOUT_MS = "60000";

/** The environment a provider process would have, pointed at the emulator, with zero backoff. */
export function emulatorEnv(emu: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return { ...providerEnvFor(emu, REGION), ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS: "0", ALICLOUD_RELEASE_READ_TIMEOUT_MS: TEST_READ_TIMEOUT_MS, ...extra };
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

/** Calls of one action in the emulator's log. */
export function callsOf(emu: RunningEmulator, action: string) {
  return emu.control.calls().filter((c) => c.action === action);
}

/** What `pulumi up` does for a new resource: check (which must pass), then create with the checked inputs. */
export async function checkedCreate(lifecycle: Lifecycle, ctx: CloudContext, args: Props): Promise<{ inputs: Props; id: string; outs: Props }> {
  const checked = await lifecycle.check(ctx, {}, args);
  expect(checked.failures).toEqual([]);
  const inputs = checked.inputs as Props;
  const result = await lifecycle.create(ctx, inputs);
  return { inputs, id: result.id, outs: result.outs as Props };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}
