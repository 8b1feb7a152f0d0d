/**
 * Credential resolution, in this order: Pulumi config (`alicloud:accessKey` / `secretKey` /
 * `securityToken`, or `alicloud:profile`), the environment (Alibaba Cloud names, then the Terraform
 * names), then the @alicloud/credentials default chain (env, OIDC, CLI profile, credentials file, ECS RAM
 * role). Only the official provider's keys are read. Secrets never go into a resource's outputs — but the
 * stack config they come from is what the engine records in the state's provider entry (see settings.ts).
 */
import { SettingsError, SettingsSource, lookup } from "./settings";

/** Where the credentials come from: a static AccessKey pair (and STS token), an `alicloud:profile`, or the SDK's default chain. */
export type CredentialSource =
  | { kind: "static"; accessKeyId: string; accessKeySecret: string; securityToken?: string; from: string }
  | { kind: "profile"; profile: string; from: string }
  | { kind: "chain"; from: string };

/** Where credentials are looked for, in order (the missing-credentials message lists them). */
export const CREDENTIAL_LOCATIONS = [
  "Pulumi config alicloud:accessKey + alicloud:secretKey (+ alicloud:securityToken)",
  "Pulumi config alicloud:profile",
  "env ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN)",
  "env ALICLOUD_ACCESS_KEY + ALICLOUD_SECRET_KEY (+ ALICLOUD_SECURITY_TOKEN)",
  "the @alicloud/credentials default chain (OIDC, ~/.aliyun/config.json, ~/.alibabacloud/credentials, ECS RAM role)",
];

/** The error text when no credentials are found anywhere. */
export function missingCredentialsMessage(detail?: string): string {
  return `no Alibaba Cloud credentials found${detail ? ` (${detail})` : ""}; looked in, in order:\n  - ${CREDENTIAL_LOCATIONS.join("\n  - ")}`;
}

function pair(
  source: SettingsSource,
  idKeys: { config: string[]; env: string[] },
  secretKeys: { config: string[]; env: string[] },
  tokenKeys: { config: string[]; env: string[] },
): CredentialSource | undefined {
  const id = lookup(source, idKeys.config, idKeys.env);
  const secret = lookup(source, secretKeys.config, secretKeys.env);
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    const have = (id ?? secret)!.from;
    const missing = id ? [...secretKeys.config, ...secretKeys.env] : [...idKeys.config, ...idKeys.env];
    throw new SettingsError(`${have} is set but its pair is missing: set ${missing.join(" or ")}`);
  }
  const token = lookup(source, tokenKeys.config, tokenKeys.env);
  return { kind: "static", accessKeyId: id.value, accessKeySecret: secret.value, securityToken: token?.value, from: id.from };
}

/** The first of {@link CREDENTIAL_LOCATIONS} that is set; half a pair is a SettingsError naming the missing half. */
export function resolveCredentialSource(source: SettingsSource): CredentialSource {
  const fromConfig = pair(
    source,
    { config: ["alicloud:accessKey"], env: [] },
    { config: ["alicloud:secretKey"], env: [] },
    { config: ["alicloud:securityToken"], env: [] },
  );
  if (fromConfig) return fromConfig;
  const profile = source.config("alicloud:profile");
  if (profile) return { kind: "profile", profile, from: "Pulumi config alicloud:profile" };
  const fromAlibabaEnv = pair(
    source,
    { config: [], env: ["ALIBABA_CLOUD_ACCESS_KEY_ID"] },
    { config: [], env: ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] },
    { config: [], env: ["ALIBABA_CLOUD_SECURITY_TOKEN"] },
  );
  if (fromAlibabaEnv) return fromAlibabaEnv;
  const fromTerraformEnv = pair(
    source,
    { config: [], env: ["ALICLOUD_ACCESS_KEY"] },
    { config: [], env: ["ALICLOUD_SECRET_KEY"] },
    { config: [], env: ["ALICLOUD_SECURITY_TOKEN"] },
  );
  if (fromTerraformEnv) return fromTerraformEnv;
  return { kind: "chain", from: "@alicloud/credentials default chain" };
}
