/**
 * Only the `pulumi` CLI dies (SIGKILL) while a destroy waits for an Anycast EIP to leave `Releasing`:
 * the dynamic-provider process it started must notice its engine is gone and exit, instead of living on
 * (and spinning on a broken stderr pipe) as an orphan.
 */
import { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { EIPANYCAST_INSTANT_TIMING } from "../../emulator";
import { descendants, TestStack } from "./harness";
import { useEmulator } from "../helpers/emulator";

jest.setTimeout(180_000);

const emu = useEmulator({ resetEachTest: false });
let stack: TestStack | undefined;
/** Processes the killed CLI had started; whatever is still alive at the end is ended by its id. */
let orphans: number[] = [];

afterEach(async () => {
  for (const pid of orphans) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  orphans = [];
  emu.control.settle();
  await stack?.cancel();
  await stack?.remove();
  stack = undefined;
});

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

/** Polls `condition` every 50 ms until it holds or `timeoutMs` has passed; returns whether it held. */
async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

test("killing only the CLI during a slow release: the dynamic-provider process exits", async () => {
  stack = new TestStack(emu);
  emu.control.reset();
  emu.control.setTiming({ eipanycast: EIPANYCAST_INSTANT_TIMING });
  await stack.init([{ type: "AnycastEipAddress", name: "eip", args: { serviceLocation: "international", bandwidth: 200 } }]);
  expect((await stack.up()).code).toBe(0);

  // Releasing is held: the provider keeps polling and writing progress lines while the CLI is killed.
  emu.control.setTiming({ eipanycast: { Releasing: null } });
  const mark = emu.control.calls().reduce((m, c) => Math.max(m, c.seq), 0);
  const releaseSeq = () => emu.control.calls().find((c) => c.seq > mark && c.action === "ReleaseAnycastEipAddress")?.seq;
  const waitingForRelease = () => {
    const seq = releaseSeq();
    return seq !== undefined && emu.control.calls().some((c) => c.seq > seq && c.action === "DescribeAnycastEipAddress");
  };

  let cli: ChildProcess | undefined;
  const destroy = stack.run(["destroy", "--yes", "--skip-preview", "--non-interactive", "-s", stack.stack], { onSpawn: (c) => (cli = c) });
  expect(await eventually(waitingForRelease, 120_000)).toBe(true);
  const tree = descendants(cli!.pid!);
  orphans = tree;
  const provider = tree.find((pid) => /dynamic-provider/.test(cmdline(pid)));
  expect(provider).toBeDefined();

  process.kill(cli!.pid!, "SIGKILL"); // the CLI only; its plugins are left running
  expect((await destroy).signal).toBe("SIGKILL");

  // The provider's progress report comes every 5 s; give it far longer than that to notice and exit.
  expect(await eventually(() => !alive(provider!), 30_000)).toBe(true);
});
