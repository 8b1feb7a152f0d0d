/**
 * `npm run demo`: the main job, end to end, with nothing but this repository. Starts the emulator on a
 * free port with a seeded IPAM pool, then drives the real Pulumi CLI over the repo's own Pulumi.yaml:
 * preview, up, outputs, a destroy refused because someone attached the EIP outside Pulumi, the fix,
 * and a destroy that releases everything — ending with the emulator's (empty) inventory.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { providerEnvFor, startEmulator, RunningEmulator } from "../emulator";
import { createContext } from "../provider/cloud/context";
import { envSource } from "../provider/cloud/settings";
import { OfflinePulumi, REPO } from "./pulumi-cli";

const REGION = "cn-hangzhou";
const ENI = "eni-console0123456789ab";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let step = 0;
function heading(text: string): void {
  step++;
  process.stdout.write(`\n${bold(`── ${step}. ${text}`)}\n`);
}
function note(text: string): void {
  process.stdout.write(`   ${text}\n`);
}
/** CLI output, indented under the step, with blank runs squeezed. */
function echo(): (chunk: string) => void {
  let atLineStart = true;
  return (chunk) => {
    let out = "";
    for (const ch of chunk) {
      if (atLineStart) out += "   │ ";
      out += ch;
      atLineStart = ch === "\n";
    }
    process.stdout.write(out.replace(/(   │ \n){2,}/g, "   │ \n"));
  };
}

/** Runs `node args…` with the CLI's environment, streaming its output; resolves to the exit code. */
function runNode(args: string[], env: Record<string, string>, out: (chunk: string) => void): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d: Buffer) => out(d.toString()));
    child.stderr.on("data", (d: Buffer) => out(d.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
}

function inventory(emu: RunningEmulator): { allocations: unknown[]; eips: { AnycastId: string; Status: string; AnycastEipBindInfoList?: { BindInstanceId: string }[] }[] } {
  const state = emu.control.state() as { vpcipam: { allocations: unknown[] }; eipanycast: { eips: never[] } };
  return { allocations: state.vpcipam.allocations, eips: state.eipanycast.eips };
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(bold("pulumi-alicloud-release demo") + " — the real Pulumi CLI against the local Alibaba Cloud emulator\n");

  const emu = await startEmulator({ port: 0 });
  const seeded = emu.control.seed({ vpcipam: { pools: [{ regionId: REGION, cidrs: ["10.0.0.0/16"], name: "demo-pool" }] } }) as { vpcipam: { ipamPoolIds: string[] } };
  const ipamPoolId = seeded.vpcipam.ipamPoolIds[0];
  // Short but real asynchronous transitions, so the waits are visible and the run stays quick.
  emu.control.setTiming({ eipanycast: { Associating: 400, Unassociating: 400, Modifying: 300, Releasing: 800 } });
  note(`emulator listening on ${emu.url} (IPAM pool ${ipamPoolId}: 10.0.0.0/16 in ${REGION})`);

  const pulumi = new OfflinePulumi(REPO, "demo");
  let failed = false;
  try {
    await pulumi.init(
      {
        "alicloud:region": REGION,
        "alicloud:endpoints": JSON.stringify([{ vpcipam: emu.url, eipanycast: emu.url }]),
        "alicloud:accessKey": emu.accessKeyId,
        "demo:ipamPoolId": ipamPoolId,
      },
      { "alicloud:secretKey": emu.accessKeySecret },
    );

    heading("pulumi preview — the plan; no API call changes anything");
    const before = emu.control.calls().length;
    await pulumi.ok(["preview", "--non-interactive"], { echo: echo() });
    const mutating = emu.control.calls().slice(before).filter((c) => c.mutating).length;
    note(`mutating API calls during preview: ${mutating}`);

    heading("pulumi up — create two allocations, an Anycast EIP and its association");
    await pulumi.ok(["up", "--yes", "--skip-preview", "--non-interactive"], { echo: echo() });

    heading("pulumi stack output");
    const outputs = JSON.parse((await pulumi.ok(["stack", "output", "--json"])).stdout) as Record<string, string>;
    for (const [k, v] of Object.entries(outputs)) note(`${k.padEnd(12)} ${v}`);

    heading(`meanwhile, a colleague attaches the EIP to ${ENI} in the console (outside Pulumi)`);
    const ctx = createContext(envSource(providerEnvFor(emu, REGION)));
    await ctx.transport.call(
      "Eipanycast",
      "AssociateAnycastEipAddress",
      { AnycastId: outputs.anycastId, BindInstanceId: ENI, BindInstanceRegionId: REGION, BindInstanceType: "NetworkInterface", AssociationMode: "Normal", ClientToken: randomUUID() },
      { region: REGION },
    );
    emu.control.settle();
    note(`${outputs.anycastId} is now bound to the SLB (managed by this program) and to ${ENI} (not)`);

    heading("pulumi-alicloud-release preflight — what would destroy refuse? (reads and dry runs only)");
    const mutatingBefore = emu.control.calls().filter((c) => c.mutating).length;
    const preflight = await runNode([path.join(REPO, "dist", "cli", "main.js"), "preflight", "--stack", "demo", "--cwd", REPO], pulumi.env, echo());
    note(`exit code ${preflight} (2 = something would be refused); mutating API calls: ${emu.control.calls().filter((c) => c.mutating).length - mutatingBefore}`);

    heading("pulumi destroy — refused for the EIP: it is still bound to an instance this program does not manage");
    const releasesBefore = emu.control.calls().filter((c) => c.action === "ReleaseAnycastEipAddress").length;
    const refused = await pulumi.run(["destroy", "--yes", "--skip-preview", "--non-interactive"], { echo: echo() });
    const releasesAfter = emu.control.calls().filter((c) => c.action === "ReleaseAnycastEipAddress").length;
    const left = JSON.parse((await pulumi.ok(["stack", "export"])).stdout).deployment.resources.filter((r: { type: string }) => r.type.includes("AnycastEipAddress"));
    note(`exit code ${refused.code}; ReleaseAnycastEipAddress calls made: ${releasesAfter - releasesBefore}; EIP still in state: ${left.length === 1 ? "yes" : "no"}; EIP still in the cloud: ${inventory(emu).eips.length === 1 ? "yes" : "no"}`);
    if (refused.code === 0 || !refused.output.includes(ENI)) throw new Error("expected the destroy to be refused naming the bound instance");

    note("the allocations and the managed association were released; the EIP was not, and stays in state");
    heading("the fix: set detachOnDelete: true and store it with pulumi up --target (only the EIP remains)");
    await pulumi.ok(["config", "set", "demo:detachOnDelete", "true"]);
    const eipUrn = (left[0] as { urn: string }).urn;
    await pulumi.ok(["up", "--yes", "--skip-preview", "--non-interactive", "--target", eipUrn], { echo: echo() });

    heading("pulumi destroy — detach, release, confirm");
    await pulumi.ok(["destroy", "--yes", "--skip-preview", "--non-interactive"], { echo: echo() });

    heading("the emulator's inventory");
    const inv = inventory(emu);
    note(`IPAM pool allocations: ${inv.allocations.length}; Anycast EIPs: ${inv.eips.length}`);
    if (inv.allocations.length + inv.eips.length !== 0) throw new Error("something was left behind");
  } catch (err) {
    failed = true;
    process.stdout.write(`\ndemo failed: ${(err as Error).message}\n`);
  } finally {
    await pulumi.run(["stack", "rm", "--yes", "--force"]);
    pulumi.cleanup();
    const calls = emu.control.calls();
    const byAction = new Map<string, number>();
    for (const c of calls) byAction.set(c.action ?? "?", (byAction.get(c.action ?? "?") ?? 0) + 1);
    await emu.close();
    const summary = [...byAction.entries()].map(([a, n]) => `${a} ${n}`).join(", ");
    process.stdout.write(`\n${bold("summary")}: ${failed ? "FAILED" : "everything created was released"} — ${calls.length} API calls (${summary}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  if (failed) process.exitCode = 1;
}

void main();
