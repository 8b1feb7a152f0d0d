/**
 * The emulator set-up every suite that talks to one shares: a fresh emulator on port 0 for the file,
 * reset before each test (and given the Eipanycast transition timing the suite asks for), closed after.
 */
import { EIPANYCAST_INSTANT_TIMING, RunningEmulator, startEmulator } from "../../emulator";

export interface EmulatorSuiteOptions {
  /**
   * Eipanycast transition timing applied after each reset: `"instant"` (every transition done at once,
   * each held one only when a test holds it), a timing of its own, or unset for the emulator's default.
   */
  anycastTiming?: "instant" | Readonly<Record<string, number | null>>;
  /** False: one emulator state for the whole file (no reset between tests); the timing is applied once. */
  resetEachTest?: boolean;
}

/**
 * Registers the suite's hooks and returns the emulator. It exists once `beforeAll` has run, so the
 * returned handle may be used in tests and hooks only (anywhere else it throws, saying so).
 */
export function useEmulator(options: EmulatorSuiteOptions = {}): RunningEmulator {
  let running: RunningEmulator | undefined;
  const timing = options.anycastTiming === "instant" ? EIPANYCAST_INSTANT_TIMING : options.anycastTiming;
  const prepare = (emu: RunningEmulator) => {
    if (timing !== undefined) emu.control.setTiming({ eipanycast: timing });
  };
  beforeAll(async () => {
    running = await startEmulator({ port: 0 });
    if (options.resetEachTest === false) prepare(running);
  });
  afterAll(async () => {
    await running?.close();
  });
  if (options.resetEachTest !== false) {
    beforeEach(() => {
      running!.control.reset();
      prepare(running!);
    });
  }
  return new Proxy({} as RunningEmulator, {
    get(_target, key) {
      if (running === undefined) throw new Error("useEmulator(): the emulator starts in beforeAll; use it inside a test or a hook");
      const value: unknown = Reflect.get(running, key);
      return typeof value === "function" ? value.bind(running) : value;
    },
  });
}
