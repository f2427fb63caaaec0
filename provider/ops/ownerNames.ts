/**
 * `owner` and `group` given by name (`"www-data"`) or number, resolved on the server the resource writes to (the
 * names are the server's, not this machine's). The state keeps what the user wrote, so it stays stable; the numbers
 * are looked up at each apply, over the same exec path as `validate` (through `sudo` when the connection has it).
 */
import { FiledropError } from "../errors";
import { shellQuote } from "../shellQuote";
import type { Transport } from "../transport/types";

/** A name or number as given in `owner`/`group`. */
export type OwnerRef = string | number;

/** Resolved owner and group; undefined where not given (left as it is). */
export interface OwnerIds {
    uid?: number;
    gid?: number;
}

/** A valid user or group name (POSIX portable, plus the trailing $ of machine accounts), or a number as text. */
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** Why an `owner`/`group` value cannot be used, or undefined. */
export function ownerRefProblem(v: unknown): string | undefined {
    if (typeof v === "number") {
        return Number.isInteger(v) && v >= 0 && v < 2 ** 32
            ? undefined
            : `must be a user name or a number ≥ 0; got ${v}`;
    }
    if (typeof v === "string" && (NAME.test(v) || /^\d+$/.test(v))) {
        return undefined;
    }
    return `must be a user or group name such as "www-data" (letters, digits, _ . -) or a number; got ${JSON.stringify(v)}`;
}

const numeric = (v: OwnerRef | undefined) =>
    typeof v === "number" ? v : v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;

/** Resolves names on the server (numbers need no lookup). Unknown names fail with one sentence naming them. */
export async function resolveOwner(t: Transport, owner?: OwnerRef, group?: OwnerRef): Promise<OwnerIds> {
    const ids: OwnerIds = { uid: numeric(owner), gid: numeric(group) };
    const lookups: string[] = [];
    if (owner !== undefined && ids.uid === undefined) {
        lookups.push(`echo "u $(id -u -- ${shellQuote(String(owner))} 2>/dev/null)"`);
    }
    if (group !== undefined && ids.gid === undefined) {
        lookups.push(`echo "g $(getent group -- ${shellQuote(String(group))} | cut -d: -f3)"`);
    }
    if (lookups.length === 0) {
        return ids;
    }
    if (!t.capabilities.exec) {
        throw new FiledropError(
            "UNSUPPORTED",
            `${t.endpoint} does not allow running commands, which resolving \`owner\`/\`group\` names needs; give numbers instead.`,
        );
    }
    const r = await t.exec(lookups.join("; "));
    for (const line of r.stdout.split("\n")) {
        const m = /^([ug]) (\d+)$/.exec(line.trim());
        if (m) {
            ids[m[1] === "u" ? "uid" : "gid"] = Number(m[2]);
        }
    }
    const missing = [
        owner !== undefined && ids.uid === undefined && `user "${owner}" (\`owner\`)`,
        group !== undefined && ids.gid === undefined && `group "${group}" (\`group\`)`,
    ].filter((m): m is string => typeof m === "string");
    if (missing.length > 0) {
        throw new FiledropError(
            "INVALID_INPUT",
            `${t.endpoint} has no ${missing.join(" and no ")}; create it there first, or give an existing name or a number.`,
        );
    }
    return ids;
}
