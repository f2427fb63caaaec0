/**
 * Setting permission bits: the one decision for every file and folder this package writes or changes (RemoteFile,
 * RemoteTree, RemoteDirectory, the copies of adopted files). Where the server lets us (`capabilities.chmod`), the
 * mode is set. Where it does not (vsftpd with `chmod_enable=NO`, an FTP server without SITE CHMOD), the path keeps
 * the mode the server gave it: less open than asked is said in a warning (once per endpoint and pair of modes);
 * more open than asked is refused, so that a file meant to be private is never left readable by others.
 */
import { FiledropError } from "../errors";
import { formatMode } from "../mode";
import type { Transport } from "../transport/types";
import { warn } from "../warnings";

const warned = new Set<string>();

/**
 * Gives `path` the permission bits `mode`. `current`, when the caller has just stat-ed the path, saves a round trip
 * (and a chmod when it is already right); `shownAs` names the path in messages (the target, for a temporary).
 */
export async function applyMode(
    t: Transport,
    path: string,
    mode: number,
    o: { readonly current?: number; readonly shownAs?: string } = {},
): Promise<void> {
    if (o.current !== undefined && (o.current & 0o7777) === (mode & 0o7777)) {
        return;
    }
    if (t.capabilities.chmod) {
        await t.chmod(path, mode);
        return;
    }
    const current = o.current ?? (await t.stat(path))?.mode;
    const where = `${t.endpoint}${o.shownAs ?? path}`;
    const asked = formatMode(mode);
    if (current === undefined || (current & ~mode & 0o7777) !== 0) {
        throw new FiledropError(
            "UNSUPPORTED",
            `${where} would be mode ${formatMode(current) ?? "(unknown)"}, more open than the ${asked} asked for, and the server does not allow changing permission bits; ` +
                `enable it there (vsftpd: \`chmod_enable=YES\`), or ask for a mode at least as open as the one the server gives new files.`,
        );
    }
    if ((current & 0o7777) === (mode & 0o7777)) {
        return;
    }
    const key = JSON.stringify([t.endpoint, asked, formatMode(current)]);
    if (!warned.has(key)) {
        warned.add(key);
        warn(
            `${where} is mode ${formatMode(current)}, not the ${asked} asked for: the server does not allow changing permission bits, ` +
                `so files it gets keep the mode it gives them (less open than asked; not said again for other paths of ${t.endpoint}). ` +
                `Enable it there (vsftpd: \`chmod_enable=YES\`) to get ${asked}.`,
        );
    }
}
