/**
 * Reading a Pulumi stack export (`pulumi stack export`: `{version: 3, deployment: {resources: [...]}}`)
 * for the preflight: only the fields a delete sees (ID, outputs) and the ones that decide the order and
 * whether delete runs at all (dependencies, parent, retainOnDelete, deletedWith), plus each resource's
 * provider reference and the config the engine recorded for that provider — the config `pulumi destroy`
 * configures it with. Unknown fields are ignored; outputs are passed on as they are, so state written by
 * any earlier provider version works.
 */
import { kindOfTypeToken } from "../registry";
import { PreflightInputError, ResourceKind, StateResource, StoredProviderConfig } from "./types";

/** The highest `version` of the export format this reads (the format has been 3 since Pulumi 3.0). */
export const MAX_EXPORT_VERSION = 3;

/** Pulumi's secret signature key and value in serialized property values. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** Marker of a value dropped because it is an unreadable secret. */
const DROPPED = Symbol("dropped");

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Unwraps `{sig, plaintext}` secrets (as `stack export --show-secrets` writes them); encrypted ones are dropped. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets).filter((v) => v !== DROPPED);
  if (!isObject(value)) return value;
  if (value[SECRET_SIG_KEY] === SECRET_SIG) {
    if (typeof value.plaintext !== "string") return DROPPED;
    try {
      return unwrapSecrets(JSON.parse(value.plaintext));
    } catch {
      return DROPPED;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const u = unwrapSecrets(v);
    if (u !== DROPPED) out[k] = u;
  }
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The resources of a stack export, and the config recorded for each provider by its reference (`urn::id`). */
export interface StackState {
  resources: StateResource[];
  providerConfigs: ReadonlyMap<string, StoredProviderConfig>;
}

/**
 * Parses the text of a stack export. Throws PreflightInputError (naming `origin`) when it is not JSON,
 * not a stack export, or from a newer format version.
 */
export function parseStackExport(text: string, origin: string): StateResource[] {
  return parseStackState(text, origin).resources;
}

/** {@link parseStackExport}, with the recorded provider configs. */
export function parseStackState(text: string, origin: string): StackState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PreflightInputError(`${origin} is not JSON (${(err as Error).message})`);
  }
  return stackStateOf(doc, origin);
}

/** {@link parseStackState} of an already parsed export (as the Automation API's `exportStack` returns it). */
export function stackStateOf(doc: unknown, origin: string): StackState {
  if (!isObject(doc) || !isObject(doc.deployment)) {
    throw new PreflightInputError(`${origin} is not a Pulumi stack export: expected {"version": 3, "deployment": {"resources": [...]}} as \`pulumi stack export\` writes it`);
  }
  const version = doc.version;
  if (version !== undefined && (typeof version !== "number" || !Number.isInteger(version) || version < 1)) {
    throw new PreflightInputError(`${origin}: "version" is ${JSON.stringify(version)}; expected a whole number (3)`);
  }
  if (typeof version === "number" && version > MAX_EXPORT_VERSION) {
    throw new PreflightInputError(`${origin} is a version ${version} stack export; this tool reads up to version ${MAX_EXPORT_VERSION} (upgrade pulumi-alicloud-release)`);
  }
  const raw = doc.deployment.resources;
  if (raw === undefined || raw === null) return { resources: [], providerConfigs: new Map() };
  if (!Array.isArray(raw)) throw new PreflightInputError(`${origin}: deployment.resources is not a list`);
  const resources = raw.map((r, i): StateResource => {
    if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string") {
      throw new PreflightInputError(`${origin}: deployment.resources[${i}] has no urn/type`);
    }
    const propertyDependencies: Record<string, string[]> = {};
    if (isObject(r.propertyDependencies)) {
      for (const [k, v] of Object.entries(r.propertyDependencies)) propertyDependencies[k] = strings(v);
    }
    const outputs = unwrapSecrets(isObject(r.outputs) ? r.outputs : {}) as Record<string, unknown>;
    return {
      urn: r.urn,
      type: r.type,
      id: typeof r.id === "string" ? r.id : undefined,
      outputs,
      dependencies: strings(r.dependencies),
      propertyDependencies,
      parent: typeof r.parent === "string" ? r.parent : undefined,
      deletedWith: typeof r.deletedWith === "string" && r.deletedWith !== "" ? r.deletedWith : undefined,
      retainOnDelete: r.retainOnDelete === true,
      external: r.external === true,
      pendingDelete: r.delete === true,
      provider: typeof r.provider === "string" && r.provider !== "" ? r.provider : undefined,
    };
  });
  return { resources, providerConfigs: providerConfigsOf(raw) };
}

/**
 * The config recorded for each provider resource (`pulumi:providers:*`): its `inputs`, which is what the
 * engine configures a provider loaded from the state with. For the default `pulumi-nodejs` provider of
 * dynamic resources that is every key of the stack config at the last `pulumi up`.
 */
function providerConfigsOf(raw: unknown[]): Map<string, StoredProviderConfig> {
  const configs = new Map<string, StoredProviderConfig>();
  for (const r of raw) {
    if (!isObject(r) || typeof r.type !== "string" || !r.type.startsWith("pulumi:providers:") || typeof r.urn !== "string" || typeof r.id !== "string") continue;
    const values: Record<string, string> = {};
    const encrypted: string[] = [];
    for (const [key, stored] of Object.entries(isObject(r.inputs) ? r.inputs : {})) {
      const value = unwrapSecrets(stored);
      if (value === DROPPED) encrypted.push(key);
      else if (typeof value === "string") values[key] = value;
      else if (value !== undefined && value !== null) values[key] = JSON.stringify(value);
    }
    configs.set(`${r.urn}::${r.id}`, { values, encrypted });
  }
  return configs;
}

/** The kind of one of our resources, or undefined for any other type. */
export function kindOf(type: string): ResourceKind | undefined {
  return kindOfTypeToken(type);
}

/** `urn:pulumi:stack::project::type::name` → `name`. */
export function nameOfUrn(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

/** The outputs as delete receives them (`__provider` is the host's business). */
export function deleteProps(res: StateResource): Record<string, unknown> {
  const { __provider: _provider, ...rest } = res.outputs;
  return rest;
}

/**
 * Whether destroy deletes `first` before `then`: Pulumi deletes a resource before the resources it
 * depends on (its `dependencies`, `propertyDependencies` and its parent), transitively.
 */
export function deletedBefore(resources: readonly StateResource[], first: StateResource, then: StateResource): boolean {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const stack = [first];
  while (stack.length > 0) {
    const r = stack.pop()!;
    const next = [...r.dependencies, ...Object.values(r.propertyDependencies).flat(), ...(r.parent ? [r.parent] : [])];
    for (const urn of next) {
      if (urn === then.urn) return true;
      if (seen.has(urn)) continue;
      seen.add(urn);
      const dep = byUrn.get(urn);
      if (dep) stack.push(dep);
    }
  }
  return false;
}
