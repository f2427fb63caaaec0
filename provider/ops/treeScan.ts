/** What a RemoteTree finds on the server: every file below its folder, and the state of the files it owns. */
import * as posix from "node:path/posix";
import { forEachLimit } from "../concurrency";
import { STATS_IN_FLIGHT } from "../defaults";
import type { Manifest, TreeEntry } from "../manifest";
import { formatMode, sameMode } from "../mode";
import { remotePathOf } from "../plan/treeManifest";
import { isTemporaryName } from "../sideFiles";
import type { Transport } from "../transport/types";
import { hashMany } from "./remoteHash";

/** Every file below `dir` (relative paths), without following symlinks; temporaries left out. */
export async function listFiles(t: Transport, dir: string, rel = ""): Promise<string[]> {
    const out: string[] = [];
    for (const e of await t.list(rel === "" ? dir : posix.join(dir, rel)).catch(() => [])) {
        const r = rel === "" ? e.name : `${rel}/${e.name}`;
        if (e.stat.kind === "directory") {
            out.push(...(await listFiles(t, dir, r)));
        } else if (!isTemporaryName(e.name)) {
            out.push(r);
        }
    }
    return out;
}

/** What refresh found for the files the tree owns. */
export interface RemoteScan {
    /** The owned files as they are now on the server (missing ones left out). */
    files: Manifest;
    changed: string[];
    missing: string[];
}

/** Stats and hashes the owned files (a size or mode change is a change too). */
export async function scanOwned(t: Transport, destination: string, owned: Manifest): Promise<RemoteScan> {
    const scan: RemoteScan = { files: {}, changed: [], missing: [] };
    const toHash: string[] = [];
    await forEachLimit(Object.keys(owned), STATS_IN_FLIGHT, async (rel) => {
        const st = await t.stat(remotePathOf(destination, rel));
        if (st?.kind !== "file") {
            scan.missing.push(rel);
            return;
        }
        const mode = st.mode === undefined ? owned[rel].mode : formatMode(st.mode);
        scan.files[rel] = { sha256: owned[rel].sha256, size: st.size, mode };
        toHash.push(rel);
    });
    const hashes = await hashMany(
        t,
        toHash.map((rel) => remotePathOf(destination, rel)),
    );
    for (const rel of toHash) {
        const e: TreeEntry = scan.files[rel];
        e.sha256 = hashes.get(remotePathOf(destination, rel)) ?? "";
        const o = owned[rel];
        if (e.sha256 !== o.sha256 || e.size !== o.size || !sameMode(e.mode, o.mode)) {
            scan.changed.push(rel);
        }
    }
    scan.changed.sort();
    scan.missing.sort();
    return scan;
}
