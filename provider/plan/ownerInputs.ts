/** Check of `owner`/`group` (RemoteFile, RemoteDirectory, RemoteTree): format, clash with uid/gid, protocol. */
import { type ConnectionInputs, protocolOf } from "../connection";
import { ownerRefProblem } from "../ops/ownerNames";
import { isProtocol, protocolInfo } from "../protocols";
import type { CheckFailure } from "./checkInputs";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

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
        !protocolInfo(protocol).chown
    ) {
        for (const k of ["owner", "group"] as const) {
            if (i[k] !== undefined) {
                f.push({
                    property: k,
                    reason: `needs protocol "sftp" (FTP servers cannot change owners); remove it or switch protocol`,
                });
            }
        }
    }
    return f;
}
