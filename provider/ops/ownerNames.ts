/**
 * `owner` and `group` given by name (`"www-data"`) or number, resolved on the server the resource writes to (the
 * names are the server's, not this machine's). The state keeps what the user wrote, so it stays stable; the numbers
 * are looked up at each apply, over the same exec path as `validate` (through `sudo` when the connection has it).
 */
import { OWNER_LOOKUP_TIMEOUT_S } from "../defaults";
import { FiledropError } from "../errors";
import type { OwnerRef } from "../plan/ownerInputs";
import { shellQuote } from "../shellQuote";
import type { Transport } from "../transport/types";

/** Resolved owner and group; undefined where not given (left as it is). */
export interface OwnerIds {
    uid?: number;
    gid?: number;
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
    const r = await t.exec(lookups.join("; "), { timeoutMs: OWNER_LOOKUP_TIMEOUT_S * 1000 });
    if (r.timedOut === true) {
        throw new FiledropError(
            "CHECK_TIMEOUT",
            `Looking up ${[owner, group]
                .filter((n) => n !== undefined)
                .map((n) => `"${n}"`)
                .join(
                    " and ",
                )} on ${t.endpoint} did not finish within ${OWNER_LOOKUP_TIMEOUT_S} s and was stopped; check the server's name service (\`getent passwd\` should answer at once), or give numeric ids.`,
        );
    }
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
