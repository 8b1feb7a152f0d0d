/**
 * One table per resource says, for every input property, what a change of it does — the TypeScript form
 * of pulumi-command's `replaceOnChanges`: `replace` (a new cloud object), `cloud` (an in-place API call)
 * or `local` (only what is stored changes; no API call). `diff` and `update` are driven by it, `check`
 * fills its defaults, and `fromState` applies the same defaults to state written by earlier versions. A
 * new property is one row here plus its API mapping.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isUnknown, Props } from "./lifecycle";

export type OnChange = "replace" | "cloud" | "local";

export interface PropertyRule {
  property: string;
  onChange: OnChange;
  /**
   * The value of a property missing from stored state (state written before it existed) and, unless the
   * input is `required`, the value `check` fills in when the program leaves it unset.
   */
  default?: unknown;
  /** A required input: `check` leaves it unset so that validation names it. */
  required?: boolean;
  /**
   * What leaving the input unset means: `keeps` (default) — whatever the cloud object has stays, so no
   * change; `resets` — the default applies, so a stored value different from it is a change.
   */
  unset?: "keeps" | "resets";
  /** A comparison of its own (e.g. a set, or a block that may be given two ways); UNKNOWN handling included. */
  changed?: (olds: Props, news: Props) => boolean;
}

export type PropertyTable = readonly PropertyRule[];

/**
 * `regionId` of every resource: a change replaces. Stored state without one (earlier versions, and no
 * provider region to stand in for it) gives no reason to replace.
 */
export const REGION_ROW: PropertyRule = { property: "regionId", onChange: "replace", changed: (olds, news) => valueChanged(olds.regionId || news.regionId, news.regionId) };

/** `timeoutSeconds` and `maxAttempts` of every resource: stored only; unset means the defaults again. */
export const LIMIT_ROWS: PropertyTable = [
  { property: "timeoutSeconds", onChange: "local", unset: "resets" },
  { property: "maxAttempts", onChange: "local", unset: "resets" },
];

/** The input properties a table lists: the resource's arguments (check refuses any other). */
export function propertyNames(table: PropertyTable): string[] {
  return table.map((rule) => rule.property);
}

/** Equal as plain JSON, with undefined and null the same (state is JSON: undefined is never stored). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Whether `next` (a checked input) changes `stored`: UNKNOWN (preview) always does; unset does only when
 * unset `resets` to `fallback` and the stored value differs from it.
 */
export function valueChanged(stored: unknown, next: unknown, unset: "keeps" | "resets" = "keeps", fallback?: unknown): boolean {
  // A value not known during preview may be anything: it counts as a change.
  if (isUnknown(next)) return true;
  if (next === undefined || next === null) return unset === "resets" && !sameValue(stored, fallback);
  return !sameValue(stored, next);
}

function ruleChanged(rule: PropertyRule, olds: Props, news: Props): boolean {
  if (rule.changed) return rule.changed(olds, news);
  return valueChanged(olds[rule.property] ?? rule.default, news[rule.property], rule.unset, rule.default);
}

/** The properties whose change the table sees between stored `olds` and checked `news`, in table order. */
export function changedProperties(table: PropertyTable, olds: object, news: object, onChange?: OnChange): string[] {
  const [o, n] = [olds as Props, news as Props];
  return table.filter((rule) => (onChange === undefined || rule.onChange === onChange) && ruleChanged(rule, o, n)).map((r) => r.property);
}

/** The engine's diff from the table: `replaces` lists the changed `replace` properties in table order. */
export function diffByTable(table: PropertyTable, olds: object, news: object, deleteBeforeReplace: (replaces: string[]) => boolean = () => false): pulumi.dynamic.DiffResult {
  const changed = changedProperties(table, olds, news);
  const replaces = changed.filter((k) => table.find((r) => r.property === k)!.onChange === "replace");
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: deleteBeforeReplace(replaces) };
}

/** `check`'s defaults: every unset, non-required input with a default gets it. */
export function fillDefaults(table: PropertyTable, inputs: Props): void {
  for (const rule of table) if (!rule.required && rule.default !== undefined) inputs[rule.property] ??= rule.default;
}

/**
 * The stored outputs after an update that makes no API call: `local` properties take the new input (or
 * their default when unset); `replace` properties keep their stored value unless a new one was given (it
 * then equals the stored one, or the diff would have asked for a replacement); `cloud` properties keep
 * what the cloud reported.
 */
export function localOutputs<T extends object>(table: PropertyTable, stored: T, inputs: object): T {
  const [olds, news] = [stored as Props, inputs as Props];
  const outs: Props = { ...olds };
  for (const rule of table) {
    const next = news[rule.property];
    if (rule.onChange === "local") outs[rule.property] = next ?? rule.default;
    else if (rule.onChange === "replace") outs[rule.property] = next ?? olds[rule.property];
  }
  return outs as T;
}
