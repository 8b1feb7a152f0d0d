/**
 * Runs the destroy preflight over a stack's resources: finds ours by type token, checks each one with the
 * context the provider would build from the same settings (stack config + environment), and summarizes.
 */
import { ContextOverrides, createContext, stderrProgress } from "../cloud/context";
import { SettingsSource } from "../cloud/settings";
import { REGISTRY } from "../registry";
import { Finding } from "./inspect";
import { kindOf, nameOfUrn } from "./state";
import { PreflightReport, PreflightResult, PreflightSummary, StateResource } from "./types";

export interface PreflightOptions {
  /** Settings as the provider reads them: `envSource(env, stackConfig)`. */
  settings: SettingsSource;
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

/** Checks every resource of ours in `resources` (a parsed stack export) and builds the report. */
export async function runPreflight(resources: readonly StateResource[], options: PreflightOptions): Promise<PreflightReport> {
  const ctx = createContext(options.settings, { progress: options.progress ?? stderrProgress, ...options.context });
  const ours = ourResources(resources);
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
        found = await REGISTRY[type].loadPreflightCheck()(ctx, res, resources);
      } catch (err) {
        found = { verdict: "error", reason: errorMessage(err), fix: null, region: null };
      }
    }
    if (type === "AnycastEipAddress") found.bindings ??= [];
    return { urn: res.urn, name: nameOfUrn(res.urn), type, id: res.id ?? "", ...found, pendingDelete: res.pendingDelete };
  });
  const { summary, exitCode } = summarize(results);
  return { version: 1, stack: options.stack ?? null, source: options.source, exitCode, summary, resources: results };
}
