/**
 * `pulumi-alicloud-release emulator` (the package's bin) starts the emulator as `npm run emulator` does.
 * Runs the built CLI (npm test builds first).
 */
import { spawn } from "node:child_process";
import path from "node:path";

test("prints the listening line first, answers the control plane, and stops on SIGTERM", async () => {
  const bin = path.resolve(__dirname, "..", "..", "dist", "cli", "main.js");
  const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--quiet"], { stdio: ["ignore", "pipe", "pipe"] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("\n")) resolve(buf.split("\n")[0]);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before listening`)));
  });
  expect(firstLine).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
  const url = firstLine.replace("emulator listening on ", "");
  const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { ok: boolean; models: { product: string }[] };
  expect(health.ok).toBe(true);
  expect(health.models.map((m) => m.product).sort()).toEqual(["Eipanycast", "VpcIpam"]);
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});
