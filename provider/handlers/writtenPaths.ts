/**
 * Remote locations written during this deployment, per provider process (one process serves every dynamic
 * resource of a deployment). A replace that keeps the same remote file but names the server differently (an alias
 * such as `localhost` for `127.0.0.1`) creates the new resource before deleting the old one: without this record,
 * the old resource's delete would remove the file its replacement just wrote.
 */
import { lookup } from "dns/promises";
import { ConnectionInputs, portOf } from "../connection";

const written = new Map<string, string>();

async function locationKey(c: ConnectionInputs, path: string): Promise<string> {
    let address = c.host;
    try {
        address = (await lookup(c.host)).address;
    } catch {
        // Unresolvable: fall back to the name; the connection itself will report the problem.
    }
    return JSON.stringify([address, portOf(c), path]);
}

/** Records that resource `id` wrote `path` on that server in this deployment. */
export async function recordWrite(c: ConnectionInputs, path: string, id: string): Promise<void> {
    written.set(await locationKey(c, path), id);
}

/** The id of another resource that wrote the same file in this deployment, if any. */
export async function writtenByOther(c: ConnectionInputs, path: string, id: string): Promise<string | undefined> {
    const by = written.get(await locationKey(c, path));
    return by !== undefined && by !== id ? by : undefined;
}
