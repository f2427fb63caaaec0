/**
 * `pulumi import filedrop:index:<Kind> <name> <id>`: the engine reads the resource with its id alone (no inputs, no
 * state, and Node plugins get no provider configuration in 3.248), so the connection comes from the id and the
 * credential from the environment of the `pulumi import` command, never from the code it generates (docs/plugin.md):
 * FILEDROP_PASSWORD, FILEDROP_PRIVATE_KEY or FILEDROP_PRIVATE_KEY_FILE (+ FILEDROP_PRIVATE_KEY_PASSWORD), else the
 * ssh-agent at SSH_AUTH_SOCK; the host key from FILEDROP_HOST_KEY (kept in the code: it is public), else
 * FILEDROP_KNOWN_HOSTS or ~/.ssh/known_hosts.
 *
 * RemoteFile only: a RemoteTree's files come from a local folder the generated code would have to name and hold, a
 * RemoteDirectory or RemoteDownload is simply declared (`up` finds a folder already there, or reads the file).
 */
import * as fs from "node:fs";
import { type ConnectionInputs, type CredentialInputs, defaultPort } from "../connection";
import { FiledropError, messageOf } from "../errors";
import { importFile } from "../handlers/importFile";
import type { ResourceKind } from "../plan/knownKeys";
import { isProtocol, type Protocol } from "../protocols";

/** What an import read gives: the state, the inputs for the generated code, and which of them are secret. */
export interface Imported {
    id: string;
    props: Record<string, unknown>;
    inputs: Record<string, unknown>;
    secretKeys: string[];
    secretInputs: string[];
}

/** The parts of a file's id: `sftp://user@host:port/absolute/path` (the handlers' ids: `t.endpoint + path`). */
export function parseFileId(id: string): {
    protocol: Protocol;
    user: string;
    host: string;
    port: number;
    path: string;
} {
    const m = /^([a-z-]+):\/\/(.+)@(\[[0-9a-fA-F:.]+\]|[^:/@[\]]+):(\d{1,5})(\/.*)$/.exec(id);
    if (m === null || !isProtocol(m[1])) {
        throw new FiledropError(
            "INVALID_INPUT",
            `"${id}" is not a filedrop id; give protocol, user, host, port and absolute path as \`sftp://deploy@10.0.0.5:22/etc/app.conf\` (or ftps://, ftps-implicit://, ftp://).`,
        );
    }
    return { protocol: m[1], user: m[2], host: m[3].replace(/^\[|\]$/g, ""), port: Number(m[4]), path: m[5] };
}

/** The credential of an import, from the environment (see the file comment); none gives the ssh-agent its turn. */
export function importCredentials(env: NodeJS.ProcessEnv = process.env): CredentialInputs {
    const creds: CredentialInputs = {};
    if (env.FILEDROP_PASSWORD) {
        creds.password = env.FILEDROP_PASSWORD;
    }
    if (env.FILEDROP_PRIVATE_KEY) {
        creds.privateKey = env.FILEDROP_PRIVATE_KEY;
    } else if (env.FILEDROP_PRIVATE_KEY_FILE) {
        try {
            creds.privateKey = fs.readFileSync(env.FILEDROP_PRIVATE_KEY_FILE, "utf8");
        } catch (e) {
            throw new FiledropError(
                "INVALID_INPUT",
                `FILEDROP_PRIVATE_KEY_FILE names ${env.FILEDROP_PRIVATE_KEY_FILE}, which cannot be read: ${messageOf(e)}.`,
            );
        }
    }
    if (env.FILEDROP_PRIVATE_KEY_PASSWORD) {
        creds.privateKeyPassword = env.FILEDROP_PRIVATE_KEY_PASSWORD;
    }
    return creds;
}

/** Reads the resource `id` names for `pulumi import` (see the file comment). */
export async function importRead(
    kind: ResourceKind,
    _name: string,
    id: string,
    env: NodeJS.ProcessEnv = process.env,
): Promise<Imported> {
    if (kind !== "RemoteFile") {
        throw new FiledropError(
            "UNSUPPORTED",
            `\`pulumi import\` adopts a RemoteFile only; declare the ${kind} in the program and run \`pulumi up\`${kind === "RemoteTree" ? " (files already at the destination are adopted: kept aside and put back on destroy)" : ""}.`,
        );
    }
    const where = parseFileId(id);
    const connection: ConnectionInputs = { host: where.host, user: where.user };
    if (where.protocol !== "sftp") {
        connection.protocol = where.protocol;
    }
    if (where.port !== defaultPort(where.protocol)) {
        connection.port = where.port;
    }
    if (env.FILEDROP_HOST_KEY) {
        connection.hostKey = env.FILEDROP_HOST_KEY;
    }
    const reach = env.FILEDROP_KNOWN_HOSTS ? { ...connection, knownHosts: env.FILEDROP_KNOWN_HOSTS } : connection;
    const r = await importFile(connection, reach, importCredentials(env), where.path);
    return { id: r.id, props: { ...r.props }, inputs: r.inputs, secretKeys: [], secretInputs: [] };
}
