/**
 * Through a bastion (`proxy`), against real OpenSSH without the engine: a target sshd in a network namespace of its
 * own, reachable only through a bastion sshd's forward; both host keys verified; one pooled route. The engine run
 * of the same is ssh.bastionAgentSudo.engine.test.ts.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConnectionInputs, CredentialInputs } from "../../provider/connection";
import { hasCode } from "../../provider/errors";
import { verifiedUpload } from "../../provider/ops/upload";
import { closeAll, withTransport } from "../../provider/transport/pool";
import { openSftp } from "../../provider/transport/ssh/sftp";
import { type Bastion, startBastion } from "../harness/servers/bastion";
import { type Sshd, startSshd } from "../harness/servers/sshd";
import { makeKeyPair } from "../harness/servers/sshKeys";
import { textUpload as upload } from "../harness/textUpload";
import { getServers, remoteDir, type Servers, scratchDir } from "../harness/world";

describe("ssh: through a bastion (two real sshd's, the target isolated)", function () {
    let w: Servers;
    let target: Sshd;
    let bastion: Bastion;
    let key: string;
    const via = (extra: Partial<ConnectionInputs["proxy"]> = {}): ConnectionInputs => ({
        host: "127.0.0.1",
        port: target.port,
        user: target.user,
        knownHosts: target.knownHostsPath,
        dialErrorLimit: 1,
        proxy: {
            host: bastion.host,
            port: bastion.port,
            user: target.user,
            knownHosts: bastion.knownHostsPath,
            ...extra,
        },
    });

    before(async function () {
        w = await getServers();
        const dir = path.join(scratchDir(), "servers", `bastion-${Date.now()}`);
        target = await startSshd(path.join(dir, "target"), { isolatedNetwork: true });
        bastion = await startBastion(path.join(dir, "bastion"), target);
        key = fs.readFileSync(target.privateKeyPath, "utf8");
    });

    after(async function () {
        await closeAll();
        await bastion?.stop();
        await target?.stop();
    });

    it("a direct connection to the target is refused: nothing listens there outside the target's namespace", async function () {
        await assert.rejects(
            openSftp(
                { host: "127.0.0.1", port: target.port, user: target.user, knownHosts: target.knownHostsPath },
                { privateKey: key },
            ),
            (e: Error) => hasCode(e, "CONNECT_FAILED") && /ECONNREFUSED/.test(e.message),
        );
        assert.doesNotMatch(fs.readFileSync(target.logFile, "utf8"), /Connection from/);
    });

    it("through the bastion the file is written and verified; the bastion's log shows the forward; one pooled route", async function () {
        const dir = remoteDir(w, "bastion");
        const creds: CredentialInputs = { privateKey: key, proxy: { password: target.password } };
        const c = via();
        const first = await withTransport(c, creds, (t) => verifiedUpload(t, upload(path.join(dir, "a.conf"), "a\n")));
        await withTransport(c, creds, (t) => verifiedUpload(t, upload(path.join(dir, "b.conf"), "b\n")));
        assert.strictEqual(fs.readFileSync(path.join(dir, "a.conf"), "utf8"), "a\n");
        assert.strictEqual(fs.readFileSync(path.join(dir, "b.conf"), "utf8"), "b\n");
        assert.match(first.verifiedBy, /sha256sum|openssl|read-back/);
        assert.strictEqual(bastion.connections(), 1, "both operations share one pooled route");
        const log = fs.readFileSync(bastion.logFile, "utf8");
        const forward = log.split("\n").filter((l) => /direct[-_]tcpip/.test(l) && l.includes(`port ${target.port}`));
        assert.ok(
            forward.length >= 1,
            `the bastion's log names no forward to port ${target.port}:\n${log.slice(-3000)}`,
        );
        assert.match(log, new RegExp(`Accepted password for ${target.user}`));
        assert.match(fs.readFileSync(target.logFile, "utf8"), new RegExp(`Accepted publickey for ${target.user}`));
        console.log(`      bastion log: ${forward[0].trim()}`);
    });

    it("both host keys are verified: a wrong bastion key and a wrong target key are each refused, naming which", async function () {
        const other = makeKeyPair(path.dirname(bastion.knownHostsPath), "not_the_key", "ed25519");
        const creds: CredentialInputs = { privateKey: key, proxy: { password: target.password } };
        await assert.rejects(
            openSftp(via({ hostKey: other.publicKey, knownHosts: undefined }), creds),
            (e: Error) =>
                hasCode(e, "HOST_KEY_MISMATCH") &&
                e.message.includes(`the bastion sftp://${target.user}@127.0.0.1:${bastion.port}`) &&
                e.message.includes(bastion.hostKey.fingerprint) &&
                e.message.includes("`proxy.hostKey`"),
        );
        await assert.rejects(
            openSftp({ ...via(), knownHosts: undefined, hostKey: other.publicKey }, creds),
            (e: Error) =>
                hasCode(e, "HOST_KEY_MISMATCH") &&
                e.message.includes(target.hostKeyFingerprint) &&
                !e.message.includes("bastion"),
        );
    });

    it("a bastion login failure names the bastion and never the password", async function () {
        await assert.rejects(
            openSftp(via(), { privateKey: key, proxy: { password: "wrong-password-xyz" } }),
            (e: Error) =>
                hasCode(e, "AUTH_FAILED") &&
                e.message.includes(`to the bastion sftp://${target.user}@127.0.0.1:${bastion.port}`) &&
                !e.message.includes("wrong-password-xyz"),
        );
    });
});
