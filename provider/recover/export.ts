/**
 * Reading a stack export for `recover` (its resources and `pending_operations`) and writing the
 * recovered one: pure functions over the JSON of `pulumi stack export [--show-secrets]`. The document is
 * kept as it is except for what recover changes, so `pulumi stack import` loads back everything else
 * unchanged.
 */
import { kindOfTypeToken } from "../registry";
import { StackState, stackStateOf } from "../preflight/state";
import type { StateResource } from "../preflight/types";
import { PendingOperation, Props, RecoverInputError, StackExport, StateEntry } from "./types";

/** The highest `version` of the export format this reads (the format has been 3 since Pulumi 3.0). */
export const MAX_EXPORT_VERSION = 3;

/** Pulumi's secret signature key and value in serialized property values. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const DROPPED = Symbol("dropped");

const isObject = (v: unknown): v is Props => typeof v === "object" && v !== null && !Array.isArray(v);

/** A secret value as the export writes it (`{sig, plaintext}` with --show-secrets, `{sig, ciphertext}` without). */
export function isSecret(v: unknown): v is Props {
  return isObject(v) && v[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Unwraps `{sig, plaintext}` secrets; encrypted ones are dropped. */
export function unwrapSecrets(value: unknown): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk).filter((x) => x !== DROPPED);
    if (!isObject(v)) return v;
    if (isSecret(v)) {
      if (typeof v.plaintext !== "string") return DROPPED;
      try {
        return walk(JSON.parse(v.plaintext));
      } catch {
        return DROPPED;
      }
    }
    const out: Props = {};
    for (const [k, x] of Object.entries(v)) {
      const u = walk(x);
      if (u !== DROPPED) out[k] = u;
    }
    return out;
  };
  const out = walk(value);
  return out === DROPPED ? undefined : out;
}

/** A value wrapped as a plaintext secret; `pulumi stack import` encrypts it with the stack's secrets provider. */
export function secretOf(value: unknown): Props {
  return { [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) };
}

/** `urn:pulumi:stack::project::type::name` → `name`. */
export function nameOfUrn(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

/** `urn:pulumi:<stack>::<project>::…` → its stack and project. */
export function stackOfUrn(urn: string): { stack: string; project: string } | undefined {
  const m = /^urn:pulumi:(.+?)::(.+?)::/.exec(urn);
  return m ? { stack: m[1], project: m[2] } : undefined;
}

function objectOr(v: unknown): Props {
  return isObject(v) ? v : {};
}

/** A resource's provider reference (`urn::id`), as the export records it. */
function providerOf(r: Props): string | undefined {
  return typeof r.provider === "string" && r.provider !== "" ? r.provider : undefined;
}

function entryOf(r: unknown, where: string): StateEntry {
  if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string") throw new RecoverInputError(`${where} has no urn/type`);
  return {
    urn: r.urn,
    type: r.type,
    id: typeof r.id === "string" && r.id !== "" ? r.id : undefined,
    inputs: objectOr(unwrapSecrets(objectOr(r.inputs))),
    outputs: objectOr(unwrapSecrets(objectOr(r.outputs))),
    pendingDelete: r.delete === true,
    provider: providerOf(r),
    raw: r,
  };
}

function pendingOf(op: unknown, i: number, origin: string): PendingOperation {
  const where = `${origin}: deployment.pending_operations[${i}]`;
  if (!isObject(op) || typeof op.type !== "string") throw new RecoverInputError(`${where} has no type`);
  const entry = entryOf(op.resource, `${where}.resource`);
  return { type: op.type, urn: entry.urn, name: nameOfUrn(entry.urn), kind: kindOfTypeToken(entry.type), id: entry.id, inputs: entry.inputs, provider: entry.provider, raw: entry.raw };
}

/**
 * Parses the text of a stack export. Throws RecoverInputError (naming `origin`) when it is not JSON, not a
 * stack export, or from a newer format version.
 */
export function parseRecoverExport(text: string, origin: string): StackExport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new RecoverInputError(`${origin} is not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc) || !isObject(doc.deployment)) {
    throw new RecoverInputError(`${origin} is not a Pulumi stack export: expected {"version": 3, "deployment": {"resources": [...]}} as \`pulumi stack export\` writes it`);
  }
  const version = doc.version;
  if (typeof version === "number" && version > MAX_EXPORT_VERSION) {
    throw new RecoverInputError(`${origin} is a version ${version} stack export; this tool reads up to version ${MAX_EXPORT_VERSION} (upgrade pulumi-alicloud-release)`);
  }
  const { resources, pending_operations: pending } = doc.deployment;
  if (resources !== undefined && resources !== null && !Array.isArray(resources)) throw new RecoverInputError(`${origin}: deployment.resources is not a list`);
  if (pending !== undefined && pending !== null && !Array.isArray(pending)) throw new RecoverInputError(`${origin}: deployment.pending_operations is not a list`);
  const entries = (resources ?? []).map((r, i) => entryOf(r, `${origin}: deployment.resources[${i}]`));
  const ops = (pending ?? []).map((op, i) => pendingOf(op, i, origin));
  const named = [...entries.map((e) => e.urn), ...ops.map((o) => o.urn)].map(stackOfUrn).find((s) => s !== undefined);
  return { project: named?.project, stack: named?.stack, resources: entries, pending: ops, doc };
}

/** A state entry as the preflight checks read it (the delete's own read-only checks). */
export function stateResourceOf(e: Pick<StateEntry, "urn" | "type" | "id" | "outputs" | "pendingDelete" | "provider" | "raw">): StateResource {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(objectOr(e.raw.propertyDependencies))) propertyDependencies[k] = strings(v);
  return {
    urn: e.urn,
    type: e.type,
    id: e.id,
    outputs: e.outputs,
    dependencies: strings(e.raw.dependencies),
    propertyDependencies,
    parent: typeof e.raw.parent === "string" ? e.raw.parent : undefined,
    deletedWith: typeof e.raw.deletedWith === "string" && e.raw.deletedWith !== "" ? e.raw.deletedWith : undefined,
    retainOnDelete: e.raw.retainOnDelete === true,
    external: e.raw.external === true,
    pendingDelete: e.pendingDelete,
    provider: e.provider,
  };
}

/** A pending operation's resource as the preflight checks (and the settings plan) read it. */
export function pendingStateResource(op: PendingOperation): StateResource {
  const raw = op.raw.outputs;
  const outputs = isObject(raw) ? (objectOr(unwrapSecrets(raw)) as Props) : {};
  return stateResourceOf({ urn: op.urn, type: String(op.raw.type), id: op.id, outputs, pendingDelete: op.raw.delete === true, provider: op.provider, raw: op.raw });
}

/**
 * The export as the settings plan reads it (provider/preflight/settings.ts): its resources, the resources
 * of its pending operations (a pending create is in no other list), and the config stored for each provider.
 */
export function settingsStateOf(exp: StackExport, origin: string): StackState {
  const resources = [...exp.resources.map(stateResourceOf), ...exp.pending.map(pendingStateResource)];
  return { resources, providerConfigs: stackStateOf(exp.doc, origin).providerConfigs };
}

/** One pending create recover settled by putting an object into the state. */
export interface Recovered {
  op: PendingOperation;
  id: string;
  /** The outputs as the create (or read) answered them; `__provider` and secrets are added here. */
  outputs: Props;
}

/**
 * The recovered document: each recovered create appended to `resources` with its ID and outputs (as the
 * engine would have stored them: the provider text from the inputs, an output secret where its input was
 * one), a live resource of the same URN marked `delete: true` (an interrupted replacement: the next
 * `pulumi up` deletes the replaced object, as the engine would have), and no pending operations.
 */
export function recoveredDeployment(exp: StackExport, recovered: readonly Recovered[]): Props {
  const deployment = objectOr(exp.doc.deployment);
  const resources = Array.isArray(deployment.resources) ? deployment.resources.map((r) => ({ ...objectOr(r) })) : [];
  for (const { op, id, outputs } of recovered) {
    const rawInputs = objectOr(op.raw.inputs);
    const stored: Props = {};
    for (const [k, v] of Object.entries(outputs)) stored[k] = isSecret(rawInputs[k]) ? secretOf(v) : v;
    if (rawInputs.__provider !== undefined) stored.__provider = rawInputs.__provider;
    for (const r of resources) if (r.urn === op.urn && r.delete !== true) r.delete = true;
    resources.push({ ...op.raw, id, outputs: stored });
  }
  return { ...exp.doc, deployment: { ...deployment, resources, pending_operations: [] } };
}
