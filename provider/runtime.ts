/**
 * Entry point of the serialized provider shim (`pulumi-alicloud-release/runtime`): builds a CloudContext
 * from the stack config the engine sent (`configure`) and the environment, then runs the resource's
 * lifecycle method. Loaded in the dynamic-provider process, at call time.
 */
import { createContext } from "./cloud/context";
import { pulumiSource } from "./cloud/settings";
import { Lifecycle, ReleaseRefusedError } from "./lifecycle";
import { CloudError } from "./cloud/errors";
import { SettingsError } from "./cloud/settings";
import { WaitTimeoutError } from "./cloud/poll";
import { ResourceKind, entryOf } from "./registry";

type Method = "configure" | keyof Lifecycle;

interface ShimState {
  config?: { get(key: string): string | undefined };
}

export async function dispatch(kind: ResourceKind, method: Method, self: ShimState, args: unknown[]): Promise<unknown> {
  if (method === "configure") {
    // Kept on the provider object the host created for this __provider text, for later calls.
    self.config = (args[0] as { config?: ShimState["config"] })?.config;
    return undefined;
  }
  const lifecycle = entryOf(kind).loadLifecycle();
  const ctx = createContext(pulumiSource(self.config));
  const fn = lifecycle[method] as (...a: unknown[]) => Promise<unknown>;
  try {
    return await fn.call(lifecycle, ctx, ...args);
  } catch (err) {
    throw withoutStackIfExpected(err);
  }
}

/**
 * The dynamic-provider host prints `${err}: ${err.stack}` for every failure. For the failures we
 * expect — a refusal, a cloud error, a bad setting, a wait that ran out — the message is the whole story
 * and a stack trace in `pulumi destroy` output is noise; anything else keeps its stack.
 */
function withoutStackIfExpected(err: unknown): unknown {
  if (err instanceof ReleaseRefusedError || err instanceof CloudError || err instanceof SettingsError || err instanceof WaitTimeoutError) {
    Object.defineProperty(err, "stack", { value: "", configurable: true, writable: true });
  }
  return err;
}
