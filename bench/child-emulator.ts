/**
 * The emulator in a process of its own (`pulumi-alicloud-release emulator`, the package's bin), driven
 * through its HTTP control plane (`/_emulator/…`: seed, timing, call log, inventory).
 *
 * The concurrent-release bench runs it so: 200 deletes and the emulator answering them in one Node event
 * loop would share one core, so every call would wait for the emulator's handling of the others — a cost
 * no provider process pays against the real cloud, whose service answers from machines of its own.
 */
import { ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { RunningEmulator } from "../emulator";
import type { CallRecord } from "../emulator";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../emulator/server";
import { repoRoot } from "./common";

/** The emulator's control plane, over HTTP: the operations of `emu.control` the bench uses. */
export interface ChildControl {
  reset(): Promise<void>;
  setTiming(timing: Record<string, Record<string, number | null>>): Promise<void>;
  seed(spec: Record<string, unknown>): Promise<Record<string, unknown>>;
  calls(since?: number): Promise<CallRecord[]>;
  state(): Promise<Record<string, Record<string, unknown>>>;
}

/** An emulator process: where a provider connects (as RunningEmulator says it) and its control plane. */
export interface ChildEmulator extends Pick<RunningEmulator, "url" | "accessKeyId" | "accessKeySecret"> {
  readonly pid: number;
  readonly control: ChildControl;
  /** Ends the process (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
}

/** The built CLI (`npm run bench` builds dist/ first). */
function cliPath(): string {
  return path.join(repoRoot(), "dist", "cli", "main.js");
}

/** Resolves with the banner's URL (`emulator listening on http://HOST:PORT`), or rejects with what the process said. */
function waitForBanner(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const onExit = (code: number | null) => reject(new Error(`the emulator process exited (code ${code}) before listening: ${err.trim() || out.trim()}`));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^emulator listening on (http:\/\/\S+)/m.exec(out);
      if (m) {
        child.off("exit", onExit);
        resolve(m[1]);
      }
    });
    child.once("exit", onExit);
  });
}

/** Starts `pulumi-alicloud-release emulator --port 0 --quiet` and waits until it listens. */
export async function startChildEmulator(): Promise<ChildEmulator> {
  const child = spawn(process.execPath, [cliPath(), "emulator", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
  let url: string;
  try {
    url = await waitForBanner(child);
  } catch (err) {
    child.kill("SIGTERM");
    throw err;
  }
  const control = async <T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/_emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator control plane: ${method} ${route} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    pid: child.pid!,
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    control: {
      reset: async () => void (await control("POST", "reset", {})),
      setTiming: async (timing) => void (await control("POST", "timing", timing)),
      seed: async (spec) => (await control<{ seeded: Record<string, unknown> }>("POST", "seed", spec)).seeded,
      calls: async (since) => (await control<{ calls: CallRecord[] }>("GET", since === undefined ? "calls" : `calls?since=${since}`)).calls,
      state: () => control("GET", "state"),
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
