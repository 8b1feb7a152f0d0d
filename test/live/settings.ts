/**
 * What the live acceptance suite and its sweeper need before they touch anything, read from the
 * command line and the environment. Against the real cloud every setting must be there; anything missing
 * is listed (with what it is for) and nothing runs. `--emulator` needs none of them.
 */
import { randomBytes } from "node:crypto";

/** Every object the suite makes has a name starting with this (and EIPs also carry MARKER_TAG_KEY). */
export const MARKER_PREFIX = "palr-live-";
/** The tag every Anycast EIP of the suite carries; its value is the run id. */
export const MARKER_TAG_KEY = "pulumi-alicloud-release-live-run";

export type LiveMode = "emulator" | "cloud";

/** The instance the refused-destroy scenario binds an EIP to "outside Pulumi". */
export interface BindTarget {
  instanceId: string;
  instanceType: "NetworkInterface" | "SlbInstance";
  regionId: string;
  privateIpAddress?: string;
}

export interface LiveSettings {
  mode: LiveMode;
  region: string;
  poolId: string;
  /** Null when the user opted out of the refused-destroy scenario (`LIVE_BIND_INSTANCE_ID=none`). */
  bind: BindTarget | null;
}

/** One missing or wrong setting: its name and what it is for. */
export interface MissingSetting {
  name: string;
  why: string;
}

const FLAG = "PULUMI_ALICLOUD_RELEASE_LIVE";

function credentialsPresent(env: Readonly<Record<string, string | undefined>>): boolean {
  const pair = (id: string, secret: string) => !!env[id] && !!env[secret];
  return pair("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET") || pair("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY");
}

function bindTarget(env: Readonly<Record<string, string | undefined>>, region: string, missing: MissingSetting[]): BindTarget | null {
  const id = env.LIVE_BIND_INSTANCE_ID;
  if (id === "none") return null;
  const type = env.LIVE_BIND_INSTANCE_TYPE ?? "NetworkInterface";
  if (type !== "NetworkInterface" && type !== "SlbInstance") {
    missing.push({ name: "LIVE_BIND_INSTANCE_TYPE", why: `must be NetworkInterface or SlbInstance (got "${type}")` });
  }
  if (!id) {
    missing.push({
      name: "LIVE_BIND_INSTANCE_ID",
      why: "an ENI (eni-…) or internal CLB (lb-…) in an Anycast server region, bound to an EIP outside Pulumi by the refused-destroy scenario; `none` skips that scenario (reported as skipped)",
    });
    return null;
  }
  return {
    instanceId: id,
    instanceType: type === "SlbInstance" ? "SlbInstance" : "NetworkInterface",
    regionId: env.LIVE_BIND_INSTANCE_REGION ?? region,
    ...(env.LIVE_BIND_PRIVATE_IP ? { privateIpAddress: env.LIVE_BIND_PRIVATE_IP } : {}),
  };
}

/**
 * The settings for `mode`, or what is missing. The emulator mode has fixed settings (a seeded pool and a
 * made-up ENI), so it never misses anything. The sweeper binds nothing, so it needs no bind instance.
 */
export function liveSettings(
  mode: LiveMode,
  env: Readonly<Record<string, string | undefined>>,
  purpose: "suite" | "sweep" = "suite",
): { settings: LiveSettings } | { missing: MissingSetting[] } {
  if (mode === "emulator") {
    return { settings: { mode, region: "cn-hangzhou", poolId: "ipam-pool-livesuite", bind: { instanceId: "eni-livesuite0001", instanceType: "NetworkInterface", regionId: "us-west-1" } } };
  }
  const missing: MissingSetting[] = [];
  if (env[FLAG] !== "1") missing.push({ name: FLAG, why: "set to 1 to confirm that real, billed objects may be created in your account" });
  if (!credentialsPresent(env)) {
    missing.push({ name: "ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET", why: "credentials of a RAM user with docs/ram-policy.json, ram-policy-preflight.json and ram-policy-sweep.json attached" });
  }
  const region = env.ALIBABA_CLOUD_REGION ?? env.ALICLOUD_REGION;
  if (!region) missing.push({ name: "ALIBABA_CLOUD_REGION", why: "the region of the IPAM pool (the provider's default region)" });
  const poolId = env.LIVE_IPAM_POOL_ID;
  if (!poolId) missing.push({ name: "LIVE_IPAM_POOL_ID", why: "an IPv4 IPAM pool with a provisioned CIDR that can spare a /28, in that region" });
  const bind = purpose === "suite" ? bindTarget(env, region ?? "", missing) : null;
  if (missing.length > 0) return { missing };
  return { settings: { mode, region: region!, poolId: poolId!, bind } };
}

/** `palr-live-20261129t0830-a1b2`: unique per run, a valid EIP and allocation name prefix (letters first). */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").toLowerCase();
  return `${MARKER_PREFIX}${stamp}-${randomBytes(2).toString("hex")}`;
}

/** `6h`, `30m`, `45s`, `2d` → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

/** The lines printed instead of a run when settings are missing. */
export function missingSettingsLines(command: string, missing: readonly MissingSetting[]): string[] {
  return [
    `${command}: not run against Alibaba Cloud — missing settings:`,
    ...missing.map((m) => `  ${m.name}: ${m.why}`),
    `Nothing was created. Set them (see README "Live acceptance suite"), or run \`${command} -- --emulator\` against the bundled emulator.`,
  ];
}
