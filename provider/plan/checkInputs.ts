/**
 * Input validation run by `check`, before anything connects. Each failure is one sentence naming the fix.
 * Pure functions; unknown values (during preview) are skipped.
 */
import type { CheckFailure } from "../checkFailure";
import { type ConnectionInputs, type CredentialInputs, protocolOf } from "../connection";
import { modeProblem, normalizeMode } from "../mode";
import { isProtocol, PROTOCOL_NAMES, protocolInfo } from "../protocols";
import { CHECK_RECORD_EXTRA } from "../sideFiles";
import { isValidPin } from "../trust/hostKeys";
import { isKnown } from "../unknown";
import { hasDefaultAgent, sshExtrasFailures } from "./checkSshExtras";
import { connectionFieldFailures } from "./knownKeys";

/** A `mode` input as check hands it on: written "0640" when known and valid, else as given (check reports it). */
export function checkedMode(mode: string | undefined): string | undefined {
    return mode !== undefined && isKnown(mode) && modeProblem(mode) === undefined ? normalizeMode(mode) : mode;
}

const MAX_PATH = 4096;

/** Problems with a remote absolute POSIX path, or undefined. */
export function remotePathProblem(path: unknown): string | undefined {
    if (typeof path !== "string" || path === "") {
        return "must be an absolute path on the server, such as /etc/app/config.yaml";
    }
    if (path.includes("\0")) {
        return "must not contain a NUL byte";
    }
    if (/[\r\n]/.test(path)) {
        // FTP sends paths on a line of their own: a line break would smuggle in another command.
        return "must not contain a line break";
    }
    if (!path.startsWith("/")) {
        return `must be absolute (start with /); got "${path.slice(0, 200)}"`;
    }
    if (path.split("/").some((seg) => seg === "..")) {
        return `must not contain ".." segments; got "${path.slice(0, 200)}"`;
    }
    if (path.length > MAX_PATH) {
        return `is ${path.length} characters long; the limit is ${MAX_PATH}`;
    }
    if (path.split("/").some((seg) => Buffer.byteLength(seg) > 255)) {
        return "has a name longer than 255 bytes";
    }
    return undefined;
}

/**
 * The bytes the longest side-file name adds to a file's name: the copy a `validateInPlace` check keeps,
 * `.<name>.filedrop-old-<12 hex>-<8 hex>` (ops/checkRecords.ts); backups, temporaries, markers and moved-aside
 * copies add less. A file name must leave room for it under NAME_MAX (255).
 */
const SIDE_FILE_NAME_EXTRA = CHECK_RECORD_EXTRA;
export const MAX_FILE_NAME_BYTES = 255 - SIDE_FILE_NAME_EXTRA;

/**
 * A file name too long for the side files written beside it (issue 19: a 240-byte name failed mid-upload with
 * "Bad message"), as a reason for check; undefined when it fits.
 */
export function fileNameProblem(path: string): string | undefined {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const bytes = Buffer.byteLength(name);
    if (bytes <= MAX_FILE_NAME_BYTES) {
        return undefined;
    }
    return `has a file name of ${bytes} bytes ("${name.slice(0, 40)}…"); pulumi-filedrop writes side files beside it named \`.<name>.filedrop-old-<12 hex>-<8 hex>\` (${SIDE_FILE_NAME_EXTRA} bytes more), which must fit the server's 255-byte limit, so file names of at most ${MAX_FILE_NAME_BYTES} bytes can be written; shorten the name`;
}

/**
 * True when the connection gives a credential its protocol logs in with (`protocolInfo(…).credentials`). The one
 * place this is decided: check requires it (except in a preview), and the SDK says once when a preview has none.
 */
export function hasLoginCredential(c: ConnectionInputs, creds: CredentialInputs | undefined): boolean {
    const accepted = protocolInfo(protocolOf(c)).credentials;
    // SSH uses the agent in SSH_AUTH_SOCK when no credential is given, as ssh does (sshAuth.ts).
    return (
        accepted.some((k) => (k === "agentSocketPath" ? c.agentSocketPath : creds?.[k]) !== undefined) ||
        (accepted.includes("agentSocketPath") && hasDefaultAgent())
    );
}

/**
 * Problems with the connection and credentials. `credentialFree`: a preview, which needs no connection, so no
 * credential is required (the SDK says once that it is missing; `up` still refuses).
 */
export function checkConnection(
    c: ConnectionInputs | undefined,
    creds: CredentialInputs | undefined,
    credentialFree = false,
): CheckFailure[] {
    const f: CheckFailure[] = [];
    if (c === undefined || typeof c !== "object") {
        return [{ property: "connection", reason: "is required: give at least `host` and a credential" }];
    }
    if (!isKnown(c)) {
        return f;
    }
    f.push(...connectionFieldFailures(c, isKnown(creds) ? creds : undefined));
    const protocol = protocolOf(c);
    if (isKnown(c.host) && (typeof c.host !== "string" || c.host.trim() === "")) {
        f.push({ property: "connection.host", reason: "is required: the server's name or address" });
    }
    if (isKnown(c.protocol) && !isProtocol(protocol)) {
        f.push({
            property: "connection.protocol",
            reason: `must be one of ${PROTOCOL_NAMES.join(", ")}; got "${protocol}"`,
        });
        return f;
    }
    if (isKnown(c.port) && c.port !== undefined && !(Number.isInteger(c.port) && c.port > 0 && c.port < 65536)) {
        f.push({ property: "connection.port", reason: `must be a TCP port number (1-65535); got ${c.port}` });
    }
    if (!isKnown(c.protocol)) {
        return f;
    }
    const info = protocolInfo(protocol);
    if (info.plaintext && c.allowPlaintext !== true) {
        // The same transport's protocol with encryption (for "ftp": "ftps").
        const safe = PROTOCOL_NAMES.find(
            (p) => protocolInfo(p).transport === info.transport && !protocolInfo(p).plaintext,
        );
        f.push({
            property: "connection.protocol",
            reason: `is "${protocol}", which sends the password and the files in clear text: use "${safe}", or set \`allowPlaintext: true\` if you accept that`,
        });
    }
    if (info.transport === "ssh" && isKnown(c.hostKey) && c.hostKey !== undefined && !isValidPin(c.hostKey)) {
        f.push({
            property: "connection.hostKey",
            reason: 'must be an OpenSSH public key line ("ssh-ed25519 AAAA...") or a fingerprint ("SHA256:...")',
        });
    }
    if (isKnown(creds) && !credentialFree && !hasLoginCredential(c, creds)) {
        f.push(
            info.credentials.length === 1
                ? {
                      property: `connection.${info.credentials[0]}`,
                      reason: `is required for protocol "${protocol}" logins`,
                  }
                : {
                      property: "connection",
                      reason: `has no credential: set ${info.credentials
                          .map((k) => `\`${k}\``)
                          .join(", ")
                          .replace(
                              /, ([^,]*)$/,
                              " or $1",
                          )}, or start an ssh-agent (SSH_AUTH_SOCK) before \`pulumi up\``,
                  },
        );
    }
    f.push(...sshExtrasFailures(c, protocol, isKnown(creds) ? creds : undefined));
    if (
        isKnown(c.certFingerprint) &&
        c.certFingerprint !== undefined &&
        !/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/.test(c.certFingerprint)
    ) {
        f.push({
            property: "connection.certFingerprint",
            reason: "must be a SHA-256 fingerprint (64 hex digits, colons allowed)",
        });
    }
    return f;
}
