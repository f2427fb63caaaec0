/**
 * `pulumi import` of a RemoteFile (issue 21 item 3): an existing remote file becomes a RemoteFile of the stack,
 * adopted exactly as a create adopts a file it finds at its path (ops/ownership.ts `adopt`): a copy is kept beside it
 * and destroy puts that copy back; the file itself is never deleted. The inputs handed back are what the generated
 * code declares: the connection (without credentials), the path and the content, which must therefore be small
 * UTF-8 text; any other file is refused with what to do instead.
 */
import type { ConnectionInputs, CredentialInputs } from "../connection";
import { DEFAULT_CREATE_PARENTS, DEFAULT_SYMLINKS, TEXT_DIFF_MAX_BYTES } from "../defaults";
import { FiledropError } from "../errors";
import { formatMode } from "../mode";
import { KnownStats } from "../ops/knownStats";
import { adopt, finishCreate } from "../ops/ownership";
import { remoteSha256 } from "../ops/remoteHash";
import { writeTarget } from "../ops/symlinks";
import { withTransport } from "../transport/pool";
import { newWriteId } from "../writeId";
import { plain } from "./plain";
import { type RemoteFileOutputs, STATE_VERSION } from "./remoteFile";

/** The file's text when it can be the `content` of generated code (UTF-8, no NUL, at most TEXT_DIFF_MAX_BYTES). */
export function importableText(bytes: Buffer): string | undefined {
    if (bytes.length > TEXT_DIFF_MAX_BYTES || bytes.includes(0)) {
        return undefined;
    }
    try {
        // A BOM is kept in the text (ignoreBOM), so that the text is the very bytes on the server.
        return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
        return undefined;
    }
}

/**
 * Reads and adopts the file at `path`. `connection` is what the state and the generated code keep; `reach` is the
 * same connection with what only this read uses (a known_hosts file from the importer's environment).
 */
export async function importFile(
    connection: ConnectionInputs,
    reach: ConnectionInputs,
    credentials: CredentialInputs,
    path: string,
): Promise<{ id: string; props: RemoteFileOutputs; inputs: Record<string, unknown> }> {
    return withTransport(reach, credentials, async (t) => {
        const known = new KnownStats();
        const target = await writeTarget(t, path, DEFAULT_SYMLINKS, known);
        const st = await t.stat(target.path);
        if (st?.kind !== "file") {
            throw new FiledropError(
                "INVALID_INPUT",
                `Cannot import ${t.endpoint}${path}: ${st === undefined ? "no file is there" : `it is a ${st.kind}, not a file`}.`,
            );
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const c of await t.read(target.path)) {
            chunks.push(Buffer.from(c));
            size += c.length;
            if (size > TEXT_DIFF_MAX_BYTES) {
                break;
            }
        }
        const text = importableText(Buffer.concat(chunks));
        if (text === undefined) {
            throw new FiledropError(
                "UNSUPPORTED",
                `Cannot import ${t.endpoint}${path}: it is not UTF-8 text of at most ${TEXT_DIFF_MAX_BYTES} bytes, so the generated code could not hold its content. Declare a RemoteFile with \`source:\` a local copy of it instead and run \`pulumi up\`: a file found at the path is adopted the same way (kept aside, put back on destroy).`,
            );
        }
        const hash = await remoteSha256(t, target.path);
        // Adopted as a create adopts it: the copy destroy puts back, the same warning.
        const owned = await adopt(t, target.path, hash.sha256, undefined, false, known);
        await finishCreate(t, owned);
        const after = await t.stat(target.path);
        const inputs = plain({ connection, path, content: text });
        const props: RemoteFileOutputs = {
            ...inputs,
            credentials,
            sha256: hash.sha256,
            size: Buffer.byteLength(text),
            mode: formatMode(after?.mode ?? st.mode),
            createParents: DEFAULT_CREATE_PARENTS,
            symlinks: DEFAULT_SYMLINKS,
            mtime: after?.mtime ?? st.mtime ?? 0,
            existedBefore: true,
            previousSha256: owned.previousSha256 ?? hash.sha256,
            backupPath: owned.backupPath,
            createdDirs: [],
            verifiedBy: hash.method,
            atomic: true,
            resolvedPath: target.link === undefined ? undefined : target.path,
            writtenSha256: hash.sha256,
            writeId: newWriteId(),
            writtenUid: after?.uid ?? st.uid,
            stateVersion: STATE_VERSION,
        };
        return { id: t.endpoint + path, props: plain(props), inputs };
    });
}
