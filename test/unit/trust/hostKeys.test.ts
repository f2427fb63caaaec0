/** known_hosts and pin matching, against lines written by OpenSSH's own ssh-keygen. */
import * as assert from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    fingerprintOf,
    isValidPin,
    keyBlobOf,
    knownHostKeyLines,
    pinMatches,
    verifyKnownHosts,
} from "../../../provider/trust/hostKeys";

describe("hostKeys", function () {
    let dir: string;
    let keyLine: string;
    let otherLine: string;
    let blob: Buffer;
    let sshKeygenFingerprint: string;

    before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostkeys-"));
        for (const name of ["a", "b"]) {
            execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, name)]);
        }
        keyLine = fs.readFileSync(path.join(dir, "a.pub"), "utf8").trim();
        otherLine = fs.readFileSync(path.join(dir, "b.pub"), "utf8").trim();
        blob = keyBlobOf(keyLine)!;
        sshKeygenFingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(dir, "a.pub")], {
            encoding: "utf8",
        }).split(" ")[1];
    });

    it("computes the same SHA256 fingerprint as ssh-keygen -l", function () {
        assert.strictEqual(fingerprintOf(blob), sshKeygenFingerprint);
    });

    it("matches pins given as a key line or a fingerprint, and only the right key", function () {
        assert.ok(pinMatches(keyLine, blob));
        assert.ok(pinMatches(sshKeygenFingerprint, blob));
        assert.ok(!pinMatches(otherLine, blob));
        assert.ok(!pinMatches(`SHA256:${"A".repeat(43)}`, blob));
        assert.ok(isValidPin(keyLine) && isValidPin(sshKeygenFingerprint));
        assert.ok(!isValidPin("not a key") && !isValidPin("ssh-ed25519 AAAAbogus"));
    });

    it("understands plain, [host]:port, wildcard and negated entries", function () {
        const key = keyLine.split(" ").slice(0, 2).join(" ");
        assert.strictEqual(verifyKnownHosts(`example.com ${key}\n`, "example.com", 22, blob), "match");
        assert.strictEqual(verifyKnownHosts(`example.com ${key}\n`, "example.com", 2222, blob), "unknown");
        assert.strictEqual(verifyKnownHosts(`[example.com]:2222 ${key}\n`, "example.com", 2222, blob), "match");
        assert.strictEqual(
            verifyKnownHosts(`*.example.com,!bad.example.com ${key}\n`, "web.example.com", 22, blob),
            "match",
        );
        assert.strictEqual(
            verifyKnownHosts(`*.example.com,!bad.example.com ${key}\n`, "bad.example.com", 22, blob),
            "unknown",
        );
        const other = otherLine.split(" ").slice(0, 2).join(" ");
        assert.strictEqual(verifyKnownHosts(`example.com ${other}\n`, "example.com", 22, blob), "mismatch");
        assert.strictEqual(
            verifyKnownHosts(`example.com ${other}\nexample.com ${key}\n`, "example.com", 22, blob),
            "match",
        );
    });

    it("understands hashed entries written by ssh-keygen -H", function () {
        const file = path.join(dir, "known_hosts");
        const key = keyLine.split(" ").slice(0, 2).join(" ");
        fs.writeFileSync(file, `[10.0.0.5]:2222 ${key}\nexample.org ${key}\n`);
        execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
        const hashed = fs.readFileSync(file, "utf8");
        assert.match(hashed, /^\|1\|/);
        assert.ok(!hashed.includes("10.0.0.5"));
        assert.strictEqual(verifyKnownHosts(hashed, "10.0.0.5", 2222, blob), "match");
        assert.strictEqual(verifyKnownHosts(hashed, "example.org", 22, blob), "match");
        assert.strictEqual(verifyKnownHosts(hashed, "10.0.0.6", 2222, blob), "unknown");
    });

    it("refuses a key marked @revoked, whatever the host", function () {
        const key = keyLine.split(" ").slice(0, 2).join(" ");
        assert.strictEqual(
            verifyKnownHosts(`example.com ${key}\n@revoked * ${key}\n`, "example.com", 22, blob),
            "revoked",
        );
    });

    it("hands out the key lines known for a host (for @pulumi/command's hostKey), never a revoked one", function () {
        const key = keyLine.split(" ").slice(0, 2).join(" ");
        const other = otherLine.split(" ").slice(0, 2).join(" ");
        const content = `[example.com]:2222 ${key}\n[example.com]:2222 ${other}\nexample.com ${other}\n`;
        assert.deepStrictEqual(knownHostKeyLines(content, "example.com", 2222), [key, other]);
        assert.deepStrictEqual(knownHostKeyLines(`${content}@revoked * ${key}\n`, "example.com", 2222), [other]);
        assert.deepStrictEqual(knownHostKeyLines(content, "other.example", 22), []);
    });
});
