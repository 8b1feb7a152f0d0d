/**
 * Which settings the preflight resolves for each resource: the ones `pulumi destroy` will give its
 * provider. Without `--run-program`, destroy (and refresh) configure a dynamic provider from the config
 * the engine recorded in the state at the last `pulumi up` — the provider entry each resource references
 * — not from the current stack config; `pulumi destroy --run-program` runs the program and uses the
 * current stack config. Environment variables come second either way and are read when the call is made.
 */
import { envSource, SettingsError, SettingsSource, Warn } from "../cloud/settings";
import { kindOf, StackState } from "./state";
import { PreflightSettings, StateResource, StoredProviderConfig } from "./types";

const LABELS: Record<PreflightSettings["from"], string> = {
  state: "the state's stored provider config (last `pulumi up`), then environment variables — as `pulumi destroy` and `pulumi refresh` read them",
  "stack-config": "the current stack config (--run-program), then environment variables — as `pulumi destroy --run-program` reads them",
  environment: "environment variables only — the state holds no provider config for these resources",
};

export function preflightSettings(from: PreflightSettings["from"]): PreflightSettings {
  return { from, label: LABELS[from] };
}

/**
 * A provider's stored config, then `env`. A key stored as a secret that the export holds only encrypted
 * cannot be read here: looking it up is an error saying how to get an export with its plaintext (`command`:
 * the subcommand to run with --stack instead).
 */
export function storedConfigSource(stored: StoredProviderConfig, env: Readonly<Record<string, string | undefined>>, origin: string, warn?: Warn, command = "preflight"): SettingsSource {
  return {
    config: (key) => {
      if (stored.encrypted.includes(key)) {
        throw new SettingsError(
          `${key} is a secret in the provider config stored in the state, and ${origin} holds only its ciphertext: ` +
            `export the stack with \`pulumi stack export --show-secrets\`, or run ${command} with --stack`,
        );
      }
      const value = stored.values[key];
      return value === "" ? undefined : value;
    },
    env,
    warn,
  };
}

/** What the checks get: the settings source of each resource, and where the settings come from. */
export interface SettingsPlan {
  settings: PreflightSettings;
  settingsFor(res: StateResource): SettingsSource;
}

/**
 * The settings `pulumi destroy` (without `--run-program`) uses: each resource's provider config from the
 * state, then `env`. A resource whose provider the state does not hold gets `env` only. One source per
 * provider, so resources of one provider share a context as they share a provider process. `command`
 * names the subcommand in the error about a secret the export holds encrypted.
 */
export function destroySettings(state: StackState, env: Readonly<Record<string, string | undefined>>, origin: string, warn?: Warn, command = "preflight"): SettingsPlan {
  const envOnly = envSource(env, {}, warn);
  const sources = new Map<string, SettingsSource>();
  for (const [ref, stored] of state.providerConfigs) sources.set(ref, storedConfigSource(stored, env, origin, warn, command));
  const settingsFor = (res: StateResource): SettingsSource => (res.provider !== undefined ? sources.get(res.provider) : undefined) ?? envOnly;
  const stored = state.resources.some((res) => kindOf(res.type) !== undefined && res.provider !== undefined && sources.has(res.provider));
  return { settings: preflightSettings(stored ? "state" : "environment"), settingsFor };
}

/** The settings `pulumi destroy --run-program` uses: the current stack config, then `env`. */
export function runProgramSettings(stackConfig: Readonly<Record<string, string>>, env: Readonly<Record<string, string | undefined>>, warn?: Warn): SettingsPlan {
  const source = envSource(env, stackConfig, warn);
  return { settings: preflightSettings("stack-config"), settingsFor: () => source };
}
