/**
 * Which input keys a preview shows for a change, for the plugin's diff (server.ts sends it as the detailed diff).
 * The dynamic resources let the engine compare the old and new inputs itself, with the SDK's `hideDiffs: ["manifest"]`
 * on a RemoteTree; a plugin cannot set resource options, so it names the keys itself: every input key whose value
 * changed, never a tree's `manifest` (its `changes` names the changed files), and a preview note (`changes`) as new
 * whatever an earlier `up` recorded (the plugin's check cannot tell a preview from an `up`: provider.ts).
 */
import { stableJson } from "../plan/fileDiff";
import type { DiffKind } from "./server";

/** Keys never shown: a tree's manifest (one line per file), and check's own flag. */
const HIDDEN = ["manifest", "preview"];

/**
 * The detailed diff from the old inputs to the new ones, given the keys (or `connection.host`-style paths) the
 * handler's diff replaces on; undefined when the old inputs are not known.
 */
export function detailedDiffOf(
    oldInputs: Record<string, unknown> | undefined,
    news: Record<string, unknown>,
    replaces: readonly string[],
): Record<string, DiffKind> | undefined {
    if (oldInputs === undefined) {
        return undefined;
    }
    const out: Record<string, DiffKind> = {};
    for (const key of new Set([...Object.keys(oldInputs), ...Object.keys(news)])) {
        const o = oldInputs[key];
        const n = news[key];
        if (HIDDEN.includes(key)) {
            continue;
        }
        if (key === "changes") {
            if (n !== undefined) {
                out[key] = "ADD";
            }
            continue;
        }
        if (stableJson(o) === stableJson(n)) {
            continue;
        }
        const kind = o === undefined ? "ADD" : n === undefined ? "DELETE" : "UPDATE";
        const replaced = replaces.some((r) => r === key || r.startsWith(`${key}.`));
        out[key] = replaced ? (`${kind}_REPLACE` as DiffKind) : kind;
    }
    return out;
}
