/**
 * The environment a pulumi-alicloud-release provider (or the preflight command) needs to talk to a
 * running emulator: its credentials, both product endpoints and a region — the variables the provider
 * reads when no Pulumi config is set (see the README's Configuration table).
 */
import type { RunningEmulator } from "./server";

/** The environment variables that point a provider process (or the preflight command) at `emu`, in `region`. */
export function providerEnvFor(
  emu: Pick<RunningEmulator, "url" | "accessKeyId" | "accessKeySecret" | "securityToken">,
  region = "cn-hangzhou",
): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
    ...(emu.securityToken !== undefined ? { ALIBABA_CLOUD_SECURITY_TOKEN: emu.securityToken } : {}),
    ALIBABA_CLOUD_ENDPOINT_VPCIPAM: emu.url,
    ALIBABA_CLOUD_ENDPOINT_EIPANYCAST: emu.url,
    ALIBABA_CLOUD_REGION: region,
  };
}
