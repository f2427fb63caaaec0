/**
 * Issue 8 item 4: known_hosts (or a pinned `hostKey`) with another key type than the server offers first. Like
 * OpenSSH, the connection asks for the key types already known for the host first; a host known only with other
 * key types is never reported as "intercepted", and removing the entry (`ssh-keygen -R`) is never advised for it.
 * Keys are made by OpenSSH's ssh-keygen.
 */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hasCode } from "../../../provider/errors";
import { keyBlobOf, knownKeyTypes, verifyKnownHosts } from "../../../provider/trust/hostKeys";
import { checkHostKey, hostKeyAlgorithmsFor } from "../../../provider/trust/sshTrust";

describe("trust: host key types", function () {
    let rsaLine: string;
    let ed25519Line: string;
    let otherRsaLine: string;
    const host = "127.0.0.1";
    const port = 2222;

    before(function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostkeytypes-"));
        const make = (name: string, type: string) => {
            execFileSync("ssh-keygen", [
                "-q",
                "-t",
                type,
                ...(type === "rsa" ? ["-b", "2048"] : []),
                "-N",
                "",
                "-f",
                path.join(dir, name),
            ]);
            return fs
                .readFileSync(path.join(dir, `${name}.pub`), "utf8")
                .trim()
                .split(" ")
                .slice(0, 2)
                .join(" ");
        };
        rsaLine = make("rsa", "rsa");
        ed25519Line = make("ed", "ed25519");
        otherRsaLine = make("rsa2", "rsa");
    });

    const knownHosts = (...lines: string[]) => lines.map((l) => `[${host}]:${port} ${l}\n`).join("");

    it("asks for the RSA algorithms first when known_hosts holds only the host's RSA key", function () {
        const c = { host, port, knownHosts: knownHosts(rsaLine) };
        assert.deepStrictEqual(knownKeyTypes(c.knownHosts, host, port), ["ssh-rsa"]);
        assert.deepStrictEqual(hostKeyAlgorithmsFor(c), {
            remove: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            prepend: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
        });
    });

    it("asks for the pinned key's type first; a fingerprint pin or an unknown host keeps ssh2's defaults", function () {
        assert.deepStrictEqual(hostKeyAlgorithmsFor({ host, port, hostKey: rsaLine })?.prepend, [
            "rsa-sha2-512",
            "rsa-sha2-256",
            "ssh-rsa",
        ]);
        assert.deepStrictEqual(hostKeyAlgorithmsFor({ host, port, hostKey: ed25519Line })?.prepend, ["ssh-ed25519"]);
        assert.strictEqual(hostKeyAlgorithmsFor({ host, port, hostKey: `SHA256:${"A".repeat(43)}` }), undefined);
        assert.strictEqual(hostKeyAlgorithmsFor({ host, port: 2223, knownHosts: knownHosts(rsaLine) }), undefined);
    });

    it("keeps both types in file order when both are known", function () {
        assert.deepStrictEqual(
            hostKeyAlgorithmsFor({ host, port, knownHosts: knownHosts(ed25519Line, rsaLine) })?.prepend,
            ["ssh-ed25519", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
        );
    });

    it("an ed25519 key from a host known only by its RSA key is unknown (not intercepted), and the advice never removes the entry", function () {
        const ed = keyBlobOf(ed25519Line)!;
        const content = knownHosts(rsaLine);
        assert.strictEqual(verifyKnownHosts(content, host, port, ed), "otherType");
        const e = checkHostKey({ host, port, knownHosts: content }, ed);
        assert.ok(hasCode(e, "HOST_KEY_UNKNOWN"), String(e));
        assert.doesNotMatch(e!.message, /ssh-keygen -R|intercepting/);
        assert.match(e!.message, /records only ssh-rsa key\(s\).*ssh-keyscan -t ed25519/);
    });

    it("another RSA key where an RSA key is recorded is still a mismatch, with the re-key advice", function () {
        const e = checkHostKey({ host, port, knownHosts: knownHosts(rsaLine) }, keyBlobOf(otherRsaLine)!);
        assert.ok(hasCode(e, "HOST_KEY_MISMATCH"), String(e));
        assert.match(e!.message, /intercepting/);
    });

    it("the recorded RSA key matches", function () {
        assert.strictEqual(
            checkHostKey({ host, port, knownHosts: knownHosts(ed25519Line, rsaLine) }, keyBlobOf(rsaLine)!),
            undefined,
        );
    });

    it("a pinned key of a type the server did not offer is reported as such, not as interception", function () {
        const e = checkHostKey({ host, port, hostKey: rsaLine }, keyBlobOf(ed25519Line)!);
        assert.ok(hasCode(e, "HOST_KEY_UNKNOWN"), String(e));
        assert.match(e!.message, /presented a ssh-ed25519 host key .* offers no ssh-rsa key like the pinned `hostKey`/);
        assert.doesNotMatch(e!.message, /intercepting/);
        const other = checkHostKey({ host, port, hostKey: rsaLine }, keyBlobOf(otherRsaLine)!);
        assert.ok(hasCode(other, "HOST_KEY_MISMATCH"), String(other));
    });
});
