/**
 * The engine's marker for a value not known until apply (a preview of an output of another resource). Inputs are
 * compared with it here only: `check` skips what is not known yet.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when a value is known (not the preview-time unknown marker). */
export function isKnown(v: unknown): boolean {
    return v !== UNKNOWN;
}
