/** Check of `owner`/`group` (RemoteFile, RemoteDirectory, RemoteTree): format, clash with uid/gid, protocol. */

import type { CheckFailure } from "../checkFailure";
import { type ConnectionInputs, protocolOf } from "../connection";
import { isProtocol, protocolInfo, protocolsThat } from "../protocols";
import { UNKNOWN } from "../unknown";

/** A name or number as given in `owner`/`group`. */
export type OwnerRef = string | number;

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

/** The ownership inputs a resource may have. */
export interface OwnerInputs {
    connection?: ConnectionInputs;
    owner?: string | number;
    group?: string | number;
    uid?: number;
    gid?: number;
}

/** Problems with `owner`/`group`, each one sentence. */
export function ownerFailures(i: OwnerInputs): CheckFailure[] {
    const f: CheckFailure[] = [];
    for (const k of ["owner", "group"] as const) {
        const v = i[k];
        if (v === undefined || v === UNKNOWN) {
            continue;
        }
        const p = ownerRefProblem(v);
        if (p) {
            f.push({ property: k, reason: p });
        }
    }
    if (i.owner !== undefined && i.uid !== undefined) {
        f.push({ property: "owner", reason: "and `uid` both set the owner: give only one" });
    }
    if (i.group !== undefined && i.gid !== undefined) {
        f.push({ property: "group", reason: "and `gid` both set the group: give only one" });
    }
    const c = i.connection;
    const protocol = c && c !== (UNKNOWN as never) ? protocolOf(c) : undefined;
    if (
        protocol !== undefined &&
        protocol !== (UNKNOWN as never) &&
        isProtocol(protocol) &&
        !protocolInfo(protocol).can.chown
    ) {
        for (const k of ["owner", "group"] as const) {
            if (i[k] !== undefined) {
                f.push({
                    property: k,
                    reason: `needs protocol ${protocolsThat("chown")} (${protocolInfo(protocol).transport.toUpperCase()} servers cannot change owners); remove it or switch protocol`,
                });
            }
        }
    }
    return f;
}
