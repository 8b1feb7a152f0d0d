/**
 * Where the provider reads its settings: Pulumi stack config first (the `alicloud:` namespace, as the
 * official alicloud provider uses), then environment variables. Everything is read at call time, never
 * captured into state.
 */

export interface SettingsSource {
  /** A Pulumi config lookup by fully-qualified key (`alicloud:region`); undefined when unset. */
  config(key: string): string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** A source with only environment variables (used outside a Pulumi engine, e.g. by the preflight command). */
export function envSource(env: Readonly<Record<string, string | undefined>> = process.env, config: Record<string, string> = {}): SettingsSource {
  return { config: (key) => config[key], env };
}

/** Adapts `pulumi.dynamic.Config` (or anything with `get`) to a SettingsSource. */
export function pulumiSource(
  cfg: { get(key: string): string | undefined } | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SettingsSource {
  return {
    config: (key) => {
      const v = cfg?.get(key);
      return v === undefined || v === null || v === "" ? undefined : String(v);
    },
    env,
  };
}

/** Thrown for bad or missing settings; the message names the key and what would be valid. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

/** First non-empty value among config keys then env names, with where it came from. */
export function lookup(
  source: SettingsSource,
  configKeys: readonly string[],
  envNames: readonly string[],
): { value: string; from: string } | undefined {
  for (const key of configKeys) {
    const v = source.config(key);
    if (v !== undefined && v !== "") return { value: v, from: `Pulumi config ${key}` };
  }
  for (const name of envNames) {
    const v = source.env[name];
    if (v !== undefined && v !== "") return { value: v, from: `env ${name}` };
  }
  return undefined;
}

/** The Pulumi config key of the provider's region. */
export const REGION_CONFIG_KEYS = ["alicloud:region"] as const;
/** Environment variables of the provider's region, in order. */
export const REGION_ENV_NAMES = ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"] as const;

const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/** The provider's default region; `explicit` (a resource's `regionId`) wins. */
export function resolveRegion(source: SettingsSource, explicit?: string): string {
  if (explicit) return explicit;
  const found = lookup(source, REGION_CONFIG_KEYS, REGION_ENV_NAMES);
  if (!found) {
    throw new SettingsError(
      "no region: set the resource's regionId, or `pulumi config set alicloud:region cn-hangzhou`, or env ALIBABA_CLOUD_REGION / ALICLOUD_REGION",
    );
  }
  if (!REGION_PATTERN.test(found.value)) {
    throw new SettingsError(`${found.from} is "${found.value}", which is not a region id (e.g. cn-hangzhou, ap-southeast-1)`);
  }
  return found.value;
}

/** Timeouts of one HTTP call; openapi-client would otherwise default both to 3 s. */
export interface HttpTimeouts {
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

/** The HTTP timeouts when none is set: 5 s to connect, 15 s to read an answer. */
export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectTimeoutMs: 5000, readTimeoutMs: 15000 };

function positiveInt(source: SettingsSource, configKey: string, envName: string, fallback: number, min = 0): number {
  const found = lookup(source, [configKey], [envName]);
  if (!found) return fallback;
  const n = Number(found.value);
  if (!Number.isInteger(n) || n < min) {
    throw new SettingsError(`${found.from} is "${found.value}"; expected a whole number of milliseconds ≥ ${min}`);
  }
  return n;
}

/** The HTTP timeouts: `alicloud:connectTimeoutMs` / `alicloud:readTimeoutMs`, or their environment variables, else the defaults. */
export function resolveTimeouts(source: SettingsSource): HttpTimeouts {
  return {
    connectTimeoutMs: positiveInt(source, "alicloud:connectTimeoutMs", "ALICLOUD_RELEASE_CONNECT_TIMEOUT_MS", DEFAULT_TIMEOUTS.connectTimeoutMs, 1),
    readTimeoutMs: positiveInt(source, "alicloud:readTimeoutMs", "ALICLOUD_RELEASE_READ_TIMEOUT_MS", DEFAULT_TIMEOUTS.readTimeoutMs, 1),
  };
}

/**
 * Backoff tuning for the retry policy and the status pollers. Tests and the emulator demo set the base
 * to 0 so nothing waits; production keeps the defaults.
 */
export function resolveBackoffBaseMs(source: SettingsSource, fallback: number): number {
  return positiveInt(source, "alicloud:retryBaseDelayMs", "ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS", fallback);
}
