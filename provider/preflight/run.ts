/**
 * Runs the destroy preflight over a stack's resources: finds ours by type token, checks each one with the
 * context its provider would build from the same settings (see settings.ts: the state's stored provider
 * config, or the current stack config with --run-program; then the environment), and summarizes.
 */
import { CloudContext, ContextOverrides, createContext, stderrProgress } from "../cloud/context";
import { SettingsSource } from "../cloud/settings";
import { REGISTRY } from "../registry";
import { Finding } from "./inspect";
import { kindOf, nameOfUrn } from "./state";
import { PreflightReport, PreflightResult, PreflightSettings, PreflightSummary, StateResource } from "./types";

export interface PreflightOptions {
  /**
   * Settings as the provider reads them — one source for every resource, or each resource's own (its
   * provider's stored config, see settings.ts). Resources given the same source share one context.
   */
  settings: SettingsSource | ((res: StateResource) => SettingsSource);
  /** Where the settings came from, for the report. */
  settingsFrom?: PreflightSettings;
  stack?: string | null;
  /** Where the resources came from, for the report. */
  source: string;
  /** Checks run at once (default 4). */
  concurrency?: number;
  /** Retry/progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** For tests: transport, clock, policies. */
  context?: ContextOverrides;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Our resources in the stack, in export order. */
export function ourResources(resources: readonly StateResource[]): StateResource[] {
  return resources.filter((r) => kindOf(r.type) !== undefined);
}

export function summarize(results: readonly PreflightResult[]): { summary: PreflightSummary; exitCode: 0 | 1 | 2 } {
  const summary: PreflightSummary = { total: results.length, releasable: 0, gone: 0, refused: 0, retained: 0, error: 0 };
  for (const r of results) summary[r.verdict]++;
  const exitCode = summary.error > 0 ? 1 : summary.refused > 0 ? 2 : 0;
  return { summary, exitCode };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/**
 * The context of each resource, built before any check: a setting the context itself needs (e.g. the
 * retry base delay) that is invalid fails the whole run, as it would fail every call.
 */
function contextsOf(ours: readonly StateResource[], options: PreflightOptions): (res: StateResource) => CloudContext {
  const settingsFor = typeof options.settings === "function" ? options.settings : () => options.settings as SettingsSource;
  const contexts = new Map<SettingsSource, CloudContext>();
  const byResource = new Map<StateResource, CloudContext>();
  for (const res of ours) {
    const source = settingsFor(res);
    let ctx = contexts.get(source);
    if (!ctx) {
      ctx = createContext(source, { progress: options.progress ?? stderrProgress, ...options.context });
      contexts.set(source, ctx);
    }
    byResource.set(res, ctx);
  }
  return (res) => byResource.get(res)!;
}

/** Checks every resource of ours in `resources` (a parsed stack export) and builds the report. */
export async function runPreflight(resources: readonly StateResource[], options: PreflightOptions): Promise<PreflightReport> {
  const ours = ourResources(resources);
  const contextOf = contextsOf(ours, options);
  const results = await mapLimited(ours, options.concurrency ?? 4, async (res): Promise<PreflightResult> => {
    const type = kindOf(res.type)!;
    let found: Finding;
    if (res.retainOnDelete) {
      found = { verdict: "retained", reason: "retainOnDelete is set: destroy drops it from the state without deleting it", fix: null, region: null };
    } else if (res.external) {
      found = { verdict: "retained", reason: "read with .get() (external): destroy does not delete it", fix: null, region: null };
    } else if (!res.id) {
      found = { verdict: "error", reason: "the state holds no ID for it", fix: null, region: null };
    } else {
      try {
        found = await REGISTRY[type].loadPreflightCheck()(contextOf(res), res, resources);
      } catch (err) {
        found = { verdict: "error", reason: errorMessage(err), fix: null, region: null };
      }
    }
    if (type === "AnycastEipAddress") found.bindings ??= [];
    return { urn: res.urn, name: nameOfUrn(res.urn), type, id: res.id ?? "", ...found, pendingDelete: res.pendingDelete };
  });
  const { summary, exitCode } = summarize(results);
  const settings = options.settingsFrom !== undefined ? { settings: options.settingsFrom } : {};
  return { version: 1, stack: options.stack ?? null, source: options.source, ...settings, exitCode, summary, resources: results };
}
