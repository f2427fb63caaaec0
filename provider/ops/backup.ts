/** The backup a RemoteFile keeps of the file it replaced, for `onDelete: "restore"`. */
import * as posix from "path/posix";
import { Transport } from "../transport/types";

/** Where the backup of `path` is kept: `.<name>.filedrop-backup` beside it (never taken for a temporary). */
export function backupPathFor(path: string): string {
    return posix.join(posix.dirname(path), `.${posix.basename(path)}.filedrop-backup`);
}

/** Copies a remote file to another remote path, with its mode. */
export async function copyRemote(t: Transport, from: string, to: string): Promise<void> {
    const st = await t.stat(from);
    await t.write(to, await t.read(from), st?.mode ?? 0o600);
    if (st?.mode !== undefined && t.capabilities.chmod) {
        await t.chmod(to, st.mode);
    }
}
