/**
 * The preparation of a RemoteTree's manifest, shared by both faces (issue 21 item 2): the local folder is walked
 * and hashed where the program runs (TypeScript: at program time; YAML/Python: in the plugin's check), so that a
 * preview needs no connection.
 */
import * as fs from "node:fs";
import { messageOf } from "../errors";
import { localPath } from "../localFiles";
import type { Manifest } from "../manifest";
import type { TreeSelection } from "./treeManifest";
import { buildManifest } from "./treeSource";

/**
 * The manifest of the stored local folder `stored` and the problems found on the way, with a one-line summary for
 * people. A folder that cannot be read gives an empty manifest: check reports it, with the other inputs (a missing
 * folder there, in its own words).
 */
export async function preparedManifest(
    stored: string,
    sel: TreeSelection,
    name: string,
): Promise<{ manifest: Manifest; problems: string[]; summary?: string }> {
    const dir = localPath(stored);
    try {
        const r = await buildManifest(dir, sel);
        const bytes = Object.values(r.manifest).reduce((n, e) => n + e.size, 0);
        return { ...r, summary: `${name}: ${Object.keys(r.manifest).length} files (${bytes} bytes) from ${dir}` };
    } catch (e) {
        return { manifest: {}, problems: fs.existsSync(dir) ? [`cannot read "${dir}": ${messageOf(e)}`] : [] };
    }
}
