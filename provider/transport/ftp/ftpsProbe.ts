/**
 * Whether an FTP server renames over an existing file, found out once per connection before any upload: two
 * one-byte scratch files of our own in the login folder, the first renamed onto the second. ProFTPD with
 * `AllowOverwrite off` refuses that rename; vsftpd and stock ProFTPD replace the file atomically (rename(2)).
 * Where the probe cannot run (the login folder is not writable) the answer is "no": uploads then take the safe,
 * non-atomic way (old file aside, new one in, old one removed) and say so, rather than learn it from a failure.
 */

import { randomBytes } from "node:crypto";
import * as posix from "node:path/posix";
import { Readable } from "node:stream";
import type { Client } from "basic-ftp";
import { FiledropError, messageOf } from "../../errors";

function hasFtpCode(e: unknown): boolean {
    return typeof (e as { code?: unknown }).code === "number";
}

/** True when RNFR/RNTO over an existing file works on this server; see the file comment. */
export async function probeAtomicOverwrite(client: Client): Promise<boolean> {
    const id = randomBytes(6).toString("hex");
    let dir: string;
    try {
        dir = await client.pwd();
    } catch (e) {
        return giveUp(e);
    }
    const a = posix.join(dir, `.filedrop-probe-${id}-a`);
    const b = posix.join(dir, `.filedrop-probe-${id}-b`);
    try {
        // One byte each: an empty TLS upload closed right after its handshake upsets vsftpd and ProFTPD.
        await client.uploadFrom(Readable.from([Buffer.from("a")]), a);
        await client.uploadFrom(Readable.from([Buffer.from("b")]), b);
        const from = await client.sendIgnoringError(`RNFR ${a}`);
        if (from.code >= 400) {
            return false;
        }
        const to = await client.sendIgnoringError(`RNTO ${b}`);
        return to.code >= 200 && to.code < 300;
    } catch (e) {
        return giveUp(e);
    } finally {
        for (const p of [a, b]) {
            await client.sendIgnoringError(`DELE ${p}`).catch(() => undefined);
        }
    }
}

/** A refusal by the server means "cannot tell" (false); a broken connection fails the open, to be retried. */
function giveUp(e: unknown): false {
    if (hasFtpCode(e)) {
        return false;
    }
    throw new FiledropError(
        "CONNECT_FAILED",
        `The connection broke while probing the server's rename (${messageOf(e).split("\n")[0]}).`,
        { cause: e, transient: true },
    );
}
