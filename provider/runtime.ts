/**
 * Entry point of the serialized provider shim (`pulumi-alicloud-release/runtime`): builds a CloudContext
 * from the stack config the engine sent (`configure`: the current config on up/preview, the config
 * recorded in the state at the last up on destroy/refresh) and the environment, then runs the resource's
 * lifecycle method. Loaded in the dynamic-provider process, at call time.
 */
import { connect } from "node:net";
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
  exitWhenEngineIsGone();
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
 * The dynamic-provider host answers the engine with `err.message` (shown under the resource and in
 * Diagnostics) and, for check/diff/read/delete, also prints `${err}: ${err.stack}` to stderr, which the
 * engine shows once more as a `pulumi:pulumi:Stack` message, class name in front. For the failures we
 * expect — a refusal, a cloud error, a bad setting, a wait that ran out — the message is the whole story:
 * the stack is blanked and, in the host, that stderr echo is dropped. Anything else keeps both.
 */
function withoutStackIfExpected(err: unknown): unknown {
  if (err instanceof ReleaseRefusedError || err instanceof CloudError || err instanceof SettingsError || err instanceof WaitTimeoutError) {
    Object.defineProperty(err, "stack", { value: "", configurable: true, writable: true });
    if (isDynamicProviderHost()) {
      dropHostEchoesOfExpectedErrors();
      hostEchoesToDrop.add(`${err}: ${err.stack}`);
    }
  }
  return err;
}

/**
 * The exact stderr lines the host will print for expected errors we threw, each dropped once when it
 * comes. Per process, deliberately: create/update errors are not echoed by the host, so an entry may stay;
 * it only ever matches the same expected error's echo again.
 */
const hostEchoesToDrop = new Set<string>();
let hostEchoFilterInstalled = false;

function dropHostEchoesOfExpectedErrors(): void {
  if (hostEchoFilterInstalled) return;
  hostEchoFilterInstalled = true;
  const print = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && hostEchoesToDrop.delete(args[0])) return;
    print(...args);
  };
}

/** Set on the first call in a provider process: the guard below is installed once per process. */
let engineGuardInstalled = false;

/** How often the engine's address is probed, and how many refusals in a row mean it is gone. */
export const ENGINE_PROBE_INTERVAL_MS = 1000;
const ENGINE_PROBE_REFUSALS = 2;

/**
 * A provider whose engine died (the `pulumi` CLI killed) must not live on. The host starts no watch of
 * its own, and its uncaughtException handler writes to stderr: once the CLI is gone, a write to the
 * broken stderr pipe fails with EPIPE, the handler writes again, and the process spins. So, in the
 * dynamic-provider host only: a broken stdout/stderr ends the process, and the engine's gRPC address
 * (the host's first argument) is probed; when it refuses connections the process exits. Both timers
 * and listeners leave the process free to exit normally.
 */
export function exitWhenEngineIsGone(): void {
  if (engineGuardInstalled) return;
  engineGuardInstalled = true;
  const engine = engineAddressOfThisHost();
  if (!engine) return;
  const exitNow = () => process.exit(1);
  process.stderr.on("error", exitNow);
  process.stdout.on("error", exitNow);
  let refusals = 0;
  let probing = false;
  const timer = setInterval(() => {
    if (probing) return;
    probing = true;
    const socket = connect(engine.port, engine.host);
    let settled = false;
    const done = (refused: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      probing = false;
      refusals = refused ? refusals + 1 : 0;
      if (refusals >= ENGINE_PROBE_REFUSALS) exitNow();
    };
    socket.setTimeout(ENGINE_PROBE_INTERVAL_MS, () => done(false)); // slow is not gone
    socket.once("connect", () => done(false));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED"));
  }, ENGINE_PROBE_INTERVAL_MS);
  timer.unref();
}

/** The engine address the dynamic-provider host was started with, or undefined when this is not that host. */
function engineAddressOfThisHost(): { host: string; port: number } | undefined {
  if (!isDynamicProviderHost()) return undefined;
  const m = /^(.+):(\d+)$/.exec(process.argv[2] ?? "");
  return m ? { host: m[1].replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) } : undefined;
}

/** Whether this process is Pulumi's dynamic-provider host (and not, say, a test calling `dispatch`). */
function isDynamicProviderHost(): boolean {
  return /[\\/]dynamic-provider[\\/]index\.js$/.test(require.main?.filename ?? "");
}
