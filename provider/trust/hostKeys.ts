/**
 * SSH host key verification: a pinned `hostKey` (an OpenSSH public key line or a `SHA256:` fingerprint) or
 * OpenSSH known_hosts content (plain and hashed `|1|` host patterns, `[host]:port`, wildcards, negation,
 * `@revoked`). Pure functions; the SFTP transport feeds them the key the server presented.
 *
 * Note on libraries: ssh2 parses keys but not known_hosts, and the npm known_hosts parsers we found are
 * unmaintained; the format is small and fully specified in sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT", so it lives here
 * with unit tests against lines written by OpenSSH's own ssh-keygen/ssh-keyscan.
 */
import { createHash, createHmac } from "node:crypto";

/** `SHA256:<base64 without padding>` of a raw public key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
    return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key blob of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`), or undefined if it is not one. */
export function keyBlobOf(line: string): Buffer | undefined {
    const parts = line.trim().split(/\s+/);
    for (let i = 0; i + 1 < parts.length; i++) {
        if (/^(ssh-|ecdsa-|sk-)/.test(parts[i]) && /^[A-Za-z0-9+/]+=*$/.test(parts[i + 1])) {
            const blob = Buffer.from(parts[i + 1], "base64");
            // The blob starts with the key type as an SSH string; check it matches the declared type.
            const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
            if (len > 0 && blob.subarray(4, 4 + len).toString() === parts[i]) {
                return blob;
            }
        }
    }
    return undefined;
}

/** True when `pin` (a key line or a fingerprint) names the presented key. */
export function pinMatches(pin: string, presented: Buffer): boolean {
    const p = pin.trim();
    if (/^SHA256:/.test(p)) {
        return p.replace(/=+$/, "") === fingerprintOf(presented);
    }
    const blob = keyBlobOf(p);
    return blob?.equals(presented) === true;
}

/** Whether `pin` is a well-formed pin (for check). */
export function isValidPin(pin: string): boolean {
    return /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(pin.trim()) || keyBlobOf(pin) !== undefined;
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
    return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Outcome of a known_hosts lookup: "mismatch" when an entry of the presented key's type names another key;
 * "otherType" when the host is known only with keys of other types (not a sign of interception: OpenSSH asks, as
 * for an unknown host).
 */
export type KnownHostsVerdict = "match" | "mismatch" | "otherType" | "unknown" | "revoked";

/** The key type a key blob starts with (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …). */
export function keyTypeOf(blob: Buffer): string {
    const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
    return blob.subarray(4, 4 + len).toString();
}

/**
 * SSH host key algorithms, in ssh2's names, that a server with a key of `type` can use, strongest first. Only
 * algorithms ssh2 supports by default; others (certificates, sk- keys) have none.
 */
export function hostKeyAlgorithmsOf(type: string): string[] {
    switch (type) {
        case "ssh-rsa":
            return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
        case "ssh-ed25519":
        case "ecdsa-sha2-nistp256":
        case "ecdsa-sha2-nistp384":
        case "ecdsa-sha2-nistp521":
            return [type];
        default:
            return [];
    }
}

function globToRegExp(pattern: string): RegExp {
    const escaped = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, "i");
}

function hostPatternMatches(field: string, names: string[]): boolean {
    if (field.startsWith("|1|")) {
        const [, , salt, hash] = field.split("|");
        if (!salt || !hash) {
            return false;
        }
        const saltBuf = Buffer.from(salt, "base64");
        return names.some((n) => createHmac("sha1", saltBuf).update(n).digest("base64") === hash);
    }
    let matched = false;
    for (const raw of field.split(",")) {
        const negated = raw.startsWith("!");
        const pattern = negated ? raw.slice(1) : raw;
        if (names.some((n) => globToRegExp(pattern).test(n))) {
            if (negated) {
                return false;
            }
            matched = true;
        }
    }
    return matched;
}

/** One usable known_hosts line: its marker (`@revoked`), host patterns and key blob. */
interface KnownHostsEntry {
    readonly marker: string | undefined;
    readonly hosts: string;
    readonly blob: Buffer;
}

function entriesOf(content: string): KnownHostsEntry[] {
    const out: KnownHostsEntry[] = [];
    for (const rawLine of content.split(/\r?\n/)) {
        const line = rawLine.trim();
        if (line === "" || line.startsWith("#")) {
            continue;
        }
        let fields = line.split(/\s+/);
        let marker: string | undefined;
        if (fields[0].startsWith("@")) {
            marker = fields[0];
            fields = fields.slice(1);
        }
        if (fields.length < 3 || marker === "@cert-authority") {
            continue;
        }
        const blob = keyBlobOf(fields.slice(1).join(" "));
        if (blob !== undefined) {
            out.push({ marker, hosts: fields[0], blob });
        }
    }
    return out;
}

/** Key types (`ssh-rsa`, …) known_hosts records for host:port, in file order, without revoked lines. */
export function knownKeyTypes(content: string, host: string, port: number): string[] {
    const names = [knownHostsName(host, port)];
    const types = entriesOf(content)
        .filter((e) => e.marker !== "@revoked" && hostPatternMatches(e.hosts, names))
        .map((e) => keyTypeOf(e.blob));
    return [...new Set(types)];
}

/**
 * The keys known_hosts records for host:port, as OpenSSH public key lines (`ssh-ed25519 AAAA…`), strongest type
 * first (ed25519, ecdsa, rsa, others) and otherwise in file order; never a key revoked anywhere in the content.
 * For a consumer that pins one key line (`@pulumi/command`'s `hostKey`, see sdk/commandConnection.ts).
 */
export function knownHostKeyLines(content: string, host: string, port: number): string[] {
    const names = [knownHostsName(host, port)];
    const entries = entriesOf(content);
    const revoked = entries.filter((e) => e.marker === "@revoked").map((e) => e.blob);
    const strongestFirst = ["ssh-ed25519", "ecdsa-sha2-nistp", "ssh-rsa"];
    const rank = (type: string) => {
        const i = strongestFirst.findIndex((t) => type.startsWith(t));
        return i === -1 ? strongestFirst.length : i;
    };
    const lines = entries
        .filter((e) => e.marker === undefined && hostPatternMatches(e.hosts, names))
        .filter((e) => !revoked.some((r) => r.equals(e.blob)))
        .map((e) => ({ type: keyTypeOf(e.blob), line: `${keyTypeOf(e.blob)} ${e.blob.toString("base64")}` }))
        .sort((a, b) => rank(a.type) - rank(b.type));
    return [...new Set(lines.map((l) => l.line))];
}

/**
 * Looks the presented key up in known_hosts content for host:port. `@cert-authority` lines are ignored
 * (certificates are not supported yet), so such a host reads as unknown.
 */
export function verifyKnownHosts(content: string, host: string, port: number, presented: Buffer): KnownHostsVerdict {
    const names = [knownHostsName(host, port)];
    const type = keyTypeOf(presented);
    let known = false;
    let knownSameType = false;
    let revoked = false;
    let matched = false;
    for (const { marker, hosts, blob } of entriesOf(content)) {
        if (marker === "@revoked") {
            // A revoked key is refused for every host.
            if (blob.equals(presented)) {
                revoked = true;
            }
            continue;
        }
        if (!hostPatternMatches(hosts, names)) {
            continue;
        }
        known = true;
        knownSameType ||= keyTypeOf(blob) === type;
        if (blob.equals(presented)) {
            matched = true;
        }
    }
    if (revoked) {
        return "revoked";
    }
    if (matched) {
        return "match";
    }
    return knownSameType ? "mismatch" : known ? "otherType" : "unknown";
}
