/**
 * Refuses resource arguments the resource does not have. A dynamic resource passes every argument it is
 * given to `check`, so a misspelt `timeoutSecond: 5` would otherwise be carried into state and silently
 * ignored; instead `check` reports it on that property, with the closest valid name.
 */
import type { CheckFailure } from "@pulumi/pulumi/dynamic";

/** Edit distance (insert, delete, substitute, swap of neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** The valid name closest to `name`, when it is close enough to be a likely typo. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const dist = distance(name, candidate);
    if (dist < bestDistance) [best, bestDistance] = [candidate, dist];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** The `count` valid names closest to `name` (nearest first, ties in the list's order), however far. */
export function nearestNames(name: string, valid: readonly string[], count: number): string[] {
  return valid
    .map((candidate, index) => ({ candidate, index, dist: distance(name, candidate) }))
    .sort((a, b) => a.dist - b.dist || a.index - b.index)
    .slice(0, count)
    .map((c) => c.candidate);
}

/**
 * One failure per argument of `resource` that is not in `valid` (arguments set to undefined/null and the
 * host's `__provider` are not arguments).
 */
export function unknownPropertyFailures(resource: string, props: Record<string, unknown>, valid: readonly string[]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || key === "__provider" || valid.includes(key)) continue;
    const near = closestName(key, valid);
    const hint = near !== undefined ? `did you mean "${near}"?` : `valid properties are ${valid.join(", ")}`;
    // The name is shown as JSON: it may hold any character.
    failures.push({ property: key, reason: `${resource} has no property ${JSON.stringify(key.slice(0, 64))}; ${hint}` });
  }
  return failures;
}

/** Control characters (newline, tab, NUL, …): no name, description or ID the APIs document contains one. */
export const CONTROL_CHARACTER = /\p{Cc}/u;

/** A rejected value as an error message quotes it: JSON (a newline stays visible), cut short. */
export function rejectedValueLabel(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 80)}… (${text.length} characters)` : text;
}

/** The longest `timeoutSeconds` any resource takes: one day. */
export const MAX_TIMEOUT_SECONDS = 86400;
