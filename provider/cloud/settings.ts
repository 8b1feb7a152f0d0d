/**
 * Where the provider reads its settings: Pulumi stack config first, then environment variables. Keys in
 * the `alicloud:` namespace are only those the official alicloud provider defines, in its shapes
 * (official-config.ts), since a stack using these resources usually configures that provider too; the
 * package's own settings live in the `alicloud-release:` namespace.
 *
 * The config is the one the engine hands the dynamic provider: on `pulumi up`/`preview` the current stack
 * config, on `pulumi destroy`/`refresh` (without `--run-program`) the config recorded in the state at the
 * last `pulumi up`. Environment variables are read at call time.
 */

export interface SettingsSource {
  /** A Pulumi config lookup by fully-qualified key (`alicloud:region`); undefined when unset. */
  config(key: string): string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Reports a deprecated setting (`key` identifies it); default: {@link warnOncePerProcess}. */
  warn?(key: string, message: string): void;
}

/** Where a deprecation warning goes: once per key per process (see warnDeprecated). */
export type Warn = (key: string, message: string) => void;

/** A source with only environment variables (used outside a Pulumi engine, e.g. by the preflight command). */
export function envSource(env: Readonly<Record<string, string | undefined>> = process.env, config: Readonly<Record<string, string>> = {}, warn?: Warn): SettingsSource {
  return { config: (key) => config[key], env, warn };
}

/** Adapts `pulumi.dynamic.Config` (or anything with `get`) to a SettingsSource. */
export function pulumiSource(
  cfg: { get(key: string): string | undefined } | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  warn?: Warn,
): SettingsSource {
  return {
    config: (key) => {
      const v = cfg?.get(key);
      return v === undefined || v === null || v === "" ? undefined : String(v);
    },
    env,
    warn,
  };
}

/** A warner that hands each key's first message to `sink` (as `warning: …`) and drops the later ones. */
export function warnOnceEach(sink: (line: string) => void): Warn {
  const warned = new Set<string>();
  return (key, message) => {
    if (warned.has(key)) return;
    warned.add(key);
    sink(`warning: ${message}`);
  };
}

/**
 * The default warner: each key once per process, on stderr (which the dynamic-provider host forwards to
 * the CLI). Deliberate per-process state: every call of one `pulumi up` runs in one provider process, so
 * a deprecated key is reported once per command, not on every call. A broken stderr drops the line.
 */
export const warnOncePerProcess: Warn = warnOnceEach((line) => {
  if (process.stderr.destroyed || !process.stderr.writable) return;
  try {
    process.stderr.write(`${line}\n`, () => undefined);
  } catch {
    // the CLI is gone
  }
});

/** Reports a deprecated setting through the source's warner. */
export function warnDeprecated(source: SettingsSource, key: string, message: string): void {
  (source.warn ?? warnOncePerProcess)(key, message);
}

/** The release from which the deprecated `alicloud:` keys of earlier versions are no longer read. */
export const DEPRECATED_KEYS_REMOVED_IN = "0.3.0";

/** A config key of earlier versions, still read (with a warning) when `use`, its replacement, is unset. */
export interface DeprecatedKey {
  key: string;
  use: string;
}

/** Thrown for bad or missing settings; the message names the key and what would be valid. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

/**
 * First non-empty value among config keys, then deprecated keys (each one that is set is warned about),
 * then env names — with where it came from.
 */
export function lookup(
  source: SettingsSource,
  configKeys: readonly string[],
  envNames: readonly string[],
  deprecated: readonly DeprecatedKey[] = [],
): { value: string; from: string } | undefined {
  let found: { value: string; from: string } | undefined;
  for (const key of configKeys) {
    const v = source.config(key);
    if (v !== undefined && v !== "") {
      found = { value: v, from: `Pulumi config ${key}` };
      break;
    }
  }
  for (const old of deprecated) {
    const v = source.config(old.key);
    if (v === undefined || v === "") continue;
    warnDeprecated(source, old.key, deprecatedKeyMessage(old, v, found !== undefined));
    found ??= { value: v, from: `Pulumi config ${old.key}` };
  }
  if (found) return found;
  for (const name of envNames) {
    const v = source.env[name];
    if (v !== undefined && v !== "") return { value: v, from: `env ${name}` };
  }
  return undefined;
}

function deprecatedKeyMessage(old: DeprecatedKey, value: string, replaced: boolean): string {
  const why = "the official alicloud provider rejects `alicloud:` keys it does not define";
  if (replaced) return `Pulumi config ${old.key} is ignored: ${old.use} is set. Remove it (\`pulumi config rm ${old.key}\`): ${why}.`;
  return (
    `Pulumi config ${old.key} is deprecated (${why}) and is not read from version ${DEPRECATED_KEYS_REMOVED_IN} on. ` +
    `Move it: \`pulumi config set ${old.use} ${value}\` and \`pulumi config rm ${old.key}\`.`
  );
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

/** The package's own config namespace (keys the official alicloud provider does not define go here). */
export const OWN_CONFIG_NAMESPACE = "alicloud-release";

/** The package's own settings: config key, environment fallback, and the `alicloud:` key earlier versions read. */
export const OWN_SETTINGS = {
  connectTimeoutMs: { key: "alicloud-release:connectTimeoutMs", env: "ALICLOUD_RELEASE_CONNECT_TIMEOUT_MS", deprecatedKey: "alicloud:connectTimeoutMs" },
  readTimeoutMs: { key: "alicloud-release:readTimeoutMs", env: "ALICLOUD_RELEASE_READ_TIMEOUT_MS", deprecatedKey: "alicloud:readTimeoutMs" },
  retryBaseDelayMs: { key: "alicloud-release:retryBaseDelayMs", env: "ALICLOUD_RELEASE_RETRY_BASE_DELAY_MS", deprecatedKey: "alicloud:retryBaseDelayMs" },
} as const;

type OwnSetting = (typeof OWN_SETTINGS)[keyof typeof OWN_SETTINGS];

function wholeMilliseconds(source: SettingsSource, setting: OwnSetting, fallback: number, min = 0): number {
  const found = lookup(source, [setting.key], [setting.env], [{ key: setting.deprecatedKey, use: setting.key }]);
  if (!found) return fallback;
  const n = Number(found.value);
  if (!Number.isInteger(n) || n < min) {
    throw new SettingsError(`${found.from} is "${found.value}"; expected a whole number of milliseconds ≥ ${min}`);
  }
  return n;
}

/** The HTTP timeouts: `alicloud-release:connectTimeoutMs` / `readTimeoutMs`, or their environment variables, else the defaults. */
export function resolveTimeouts(source: SettingsSource): HttpTimeouts {
  return {
    connectTimeoutMs: wholeMilliseconds(source, OWN_SETTINGS.connectTimeoutMs, DEFAULT_TIMEOUTS.connectTimeoutMs, 1),
    readTimeoutMs: wholeMilliseconds(source, OWN_SETTINGS.readTimeoutMs, DEFAULT_TIMEOUTS.readTimeoutMs, 1),
  };
}

/**
 * Backoff tuning for the retry policy and the status pollers. Tests and the emulator demo set the base
 * to 0 so nothing waits; production keeps the defaults.
 */
export function resolveBackoffBaseMs(source: SettingsSource, fallback: number): number {
  return wholeMilliseconds(source, OWN_SETTINGS.retryBaseDelayMs, fallback);
}
