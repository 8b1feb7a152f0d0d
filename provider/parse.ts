/**
 * Readers for untyped JSON (stored state, checked inputs): each returns the typed value, or
 * undefined when the field is missing or of another type. Used where raw JSON becomes typed values — the
 * runtime boundary (`fromState`, checked inputs) and nowhere else.
 */

/** A string, `""` included. */
export function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A non-empty string (`""` stands for "not set" in ids and regions). */
export function nonEmptyText(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A number. */
export function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/** A boolean. */
export function bool(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : undefined;
}

/** `timeoutSeconds` and `maxAttempts`, which every resource has. */
export function limitsOf(props: Record<string, unknown>): { timeoutSeconds?: number; maxAttempts?: number } {
  return { timeoutSeconds: num(props.timeoutSeconds), maxAttempts: num(props.maxAttempts) };
}

/** An array of strings (other elements dropped). */
export function texts(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
}
