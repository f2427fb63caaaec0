/**
 * Issue 10 items 4, 5 and 6 against real OpenSSH, without the engine (the engine run is issue10.engine.test.ts):
 * - item 4: a target sshd in a network namespace of its own, reachable only through a bastion sshd's forward;
 *   both host keys verified; one pooled route.
 * - item 5: a real ssh-agent (ssh-agent + ssh-add) used when no credential is given; a failed login names the
 *   agent's keys by fingerprint and comment.
 * - item 6: `sudo: true` as a deploy user with NOPASSWD sudo writes a root-owned folder, the file owned by root;
 *   a user without sudo is refused in one sentence and nothing is written.
 */
import * as assert from "node:assert";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { ConnectionInputs, CredentialInputs } from "../../provider/connection";
import { hasCode, isFiledropError } from "../../provider/errors";
import * as dirHandler from "../../provider/handlers/remoteDirectory";
import * as fileHandler from "../../provider/handlers/remoteFile";
import * as treeHandler from "../../provider/handlers/remoteTree";
import { verifiedUpload } from "../../provider/ops/upload";
import { closeAll, withTransport } from "../../provider/transport/pool";
import { openSftp } from "../../provider/transport/sftp";
import { buildManifest } from "../../sdk/treeSource";
import { type Bastion, startBastion } from "../harness/servers/bastion";
import { type Sshd, startSshd } from "../harness/servers/sshd";
import { makeKeyPair } from "../harness/servers/sshKeys";
import { getServers, remoteDir, type Servers, scratchDir } from "../harness/world";

const upload = (p: string, text: string) => ({
    path: p,
    open: () => Readable.from([Buffer.from(text)]),
    createParents: false,
});

describe("issue 10 item 4: through a bastion (two real sshd's, the target isolated)", function () {
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
        const dir = path.join(scratchDir(), "servers", `issue10-bastion-${Date.now()}`);
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
        assert.match(first.verifiedBy, /sha256sum|openssl|shasum|read back/);
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

describe("issue 10 item 5: the ssh-agent in SSH_AUTH_SOCK by default (real ssh-agent)", function () {
    let w: Servers;
    let agent: ChildProcess;
    let sock: string;
    const saved = process.env.SSH_AUTH_SOCK;
    const conn = (): ConnectionInputs => ({
        host: w.sshd.host,
        port: w.sshd.port,
        user: w.sshd.user,
        knownHosts: w.sshd.knownHostsPath,
        dialErrorLimit: 1,
    });

    before(async function () {
        w = await getServers();
        const dir = fs.mkdtempSync(path.join(scratchDir(), "agent-"));
        sock = path.join(dir, "agent.sock");
        // -D: foreground, so the test owns (and ends) exactly this agent.
        agent = spawn("ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
        for (let i = 0; i < 100 && !fs.existsSync(sock); i++) {
            await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(fs.existsSync(sock), "ssh-agent did not create its socket within 5 s");
    });

    after(async function () {
        await closeAll();
        agent?.kill();
        if (saved === undefined) {
            delete process.env.SSH_AUTH_SOCK;
        } else {
            process.env.SSH_AUTH_SOCK = saved;
        }
    });

    const ssh_add = (...args: string[]) =>
        execFileSync("ssh-add", args, { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: "pipe" });

    it("a key the server does not accept: the failure names the agent's key by fingerprint and comment", async function () {
        const stranger = makeKeyPair(path.dirname(sock), "stranger", "ed25519", "", "stranger@laptop");
        ssh_add(stranger.privatePath);
        process.env.SSH_AUTH_SOCK = sock;
        await assert.rejects(
            openSftp(conn(), {}),
            (e: Error) =>
                isFiledropError(e) &&
                e.code === "AUTH_FAILED" &&
                e.message.includes(`agent keys ${stranger.fingerprint} (stranger@laptop)`) &&
                /ssh-add -l/.test(e.message),
        );
    });

    it("with no password, key or agentSocketPath, the agent's authorised key logs in", async function () {
        ssh_add(w.sshd.privateKeyPath);
        process.env.SSH_AUTH_SOCK = sock;
        const dir = remoteDir(w, "agent");
        const r = await withTransport(conn(), {}, (t) => verifiedUpload(t, upload(path.join(dir, "f"), "by agent\n")));
        assert.strictEqual(fs.readFileSync(path.join(dir, "f"), "utf8"), "by agent\n");
        assert.strictEqual(r.size, 9);
    });
});

describe("issue 10 item 6: sudo (real NOPASSWD sudo for the deploy user)", function () {
    let w: Servers;
    let rootDir: string;
    let key: string;
    const conn = (user: string, sudo: boolean | string): ConnectionInputs => ({
        host: w.sshd.host,
        port: w.sshd.port,
        user,
        knownHosts: w.sshd.knownHostsPath,
        sudo,
        dialErrorLimit: 1,
    });

    before(async function () {
        w = await getServers();
        key = fs.readFileSync(w.sshd.privateKeyPath, "utf8");
        // A root-owned folder the deploy user cannot write without sudo.
        rootDir = fs.mkdtempSync(path.join(w.remoteRoot, "root-owned-"));
        fs.chownSync(rootDir, 0, 0);
        fs.chmodSync(rootDir, 0o755);
    });

    after(async function () {
        await closeAll();
    });

    it("the deploy user without sudo cannot write there (the case sudo exists for)", async function () {
        await assert.rejects(
            withTransport(conn(w.sshd.user, false), { privateKey: key }, (t) =>
                verifiedUpload(t, upload(path.join(rootDir, "plain.conf"), "x\n")),
            ),
            (e: Error) => hasCode(e, "PERMISSION_DENIED"),
        );
    });

    it("with `sudo: true` the deploy user writes a root-owned file there; commands (hashing) run as root too", async function () {
        const target = path.join(rootDir, "site.conf");
        const r = await withTransport(conn(w.sshd.user, true), { privateKey: key }, async (t) => {
            const id = await t.exec("id -un");
            const up = await verifiedUpload(t, upload(target, "server { listen 80; }\n"));
            await t.chown(target, 0, 0);
            return { id: id.stdout.trim(), up };
        });
        const st = fs.statSync(target);
        assert.strictEqual(r.id, "root");
        assert.strictEqual(st.uid, 0);
        assert.strictEqual(st.gid, 0);
        assert.strictEqual(fs.readFileSync(target, "utf8"), "server { listen 80; }\n");
        assert.doesNotMatch(r.up.verifiedBy, /read back/);
        const log = fs.readFileSync(w.sshd.logFile, "utf8");
        assert.match(log, new RegExp(`Accepted publickey for ${w.sshd.user}`));
        console.log(
            `      ${target}: uid ${st.uid} gid ${st.gid}, written by ${w.sshd.user} (commands ran as ${r.id}; verified by ${r.up.verifiedBy})`,
        );
    });

    it("a prefix runs as another user: `sudo -n -u <user>`", async function () {
        const r = await withTransport(
            conn(w.sshd.user, `sudo -n -u ${w.sshd.otherUser.name}`),
            { privateKey: key },
            (t) => t.exec("id -un"),
        );
        assert.strictEqual(r.stdout.trim(), w.sshd.otherUser.name);
    });

    it("a user without sudo rights is refused in one sentence naming sudo's reason; nothing is written", async function () {
        const before = fs.readdirSync(rootDir).sort();
        await assert.rejects(
            withTransport(conn(w.sshd.otherUser.name, true), { password: w.sshd.otherUser.password }, (t) =>
                verifiedUpload(t, upload(path.join(rootDir, "nope.conf"), "x\n")),
            ),
            (e: Error) =>
                hasCode(e, "PERMISSION_DENIED") &&
                /did not start an SFTP server \(sudo: a password is required\); give this user password-less sudo/.test(
                    e.message,
                ),
        );
        assert.deepStrictEqual(fs.readdirSync(rootDir).sort(), before);
    });

    it("owner and group by name are resolved on the server for RemoteDirectory, RemoteFile and RemoteTree; a change chowns; an unknown name fails, nothing written", async function () {
        const connection = conn(w.sshd.user, true);
        const credentials = { privateKey: key };
        const other = w.sshd.otherUser;
        const site = path.join(rootDir, "site");
        const d = await dirHandler.check({} as never, {
            connection,
            credentials,
            path: site,
            owner: other.name,
            group: other.name,
        });
        assert.deepStrictEqual(d.failures, []);
        await dirHandler.create(d.inputs!);
        assert.deepStrictEqual([fs.statSync(site).uid, fs.statSync(site).gid], [other.uid, other.gid]);

        const content = "listen 443;\n";
        const sha256 = createHash("sha256").update(content).digest("hex");
        const fileArgs = {
            connection,
            credentials,
            path: path.join(site, "a.conf"),
            content,
            sha256,
            size: content.length,
        };
        const f = await fileHandler.check({} as never, { ...fileArgs, owner: "root", group: other.name });
        assert.deepStrictEqual(f.failures, []);
        const made = await fileHandler.create(f.inputs!);
        assert.deepStrictEqual([fs.statSync(fileArgs.path).uid, fs.statSync(fileArgs.path).gid], [0, other.gid]);
        assert.strictEqual(made.outs!.owner, "root", "the state keeps the name given");
        // Owner changed, same bytes: chown in place, no upload.
        const g = await fileHandler.check(f.inputs!, { ...fileArgs, owner: other.name, group: "root" });
        const mtime = fs.statSync(fileArgs.path).mtimeMs;
        await fileHandler.update("id", made.outs!, g.inputs!);
        assert.deepStrictEqual([fs.statSync(fileArgs.path).uid, fs.statSync(fileArgs.path).gid], [other.uid, 0]);
        assert.strictEqual(fs.statSync(fileArgs.path).mtimeMs, mtime);

        const src = fs.mkdtempSync(path.join(scratchDir(), "tree-src-"));
        fs.writeFileSync(path.join(src, "index.html"), "<h1>hi</h1>\n");
        const { manifest } = await buildManifest(src, {});
        const tree = path.join(rootDir, "www");
        const t = await treeHandler.check({} as never, {
            connection,
            credentials,
            sourceDir: src,
            destination: tree,
            manifest,
            owner: other.name,
            group: other.name,
        });
        assert.deepStrictEqual(t.failures, []);
        await treeHandler.create(t.inputs!);
        assert.deepStrictEqual(
            [fs.statSync(path.join(tree, "index.html")).uid, fs.statSync(path.join(tree, "index.html")).gid],
            [other.uid, other.gid],
        );

        const before = fs.readdirSync(site).sort();
        const bad = await fileHandler.check({} as never, {
            ...fileArgs,
            path: path.join(site, "b.conf"),
            owner: "no-such-user-xyz",
        });
        assert.deepStrictEqual(bad.failures, []);
        await assert.rejects(
            fileHandler.create(bad.inputs!),
            (e: Error) =>
                hasCode(e, "INVALID_INPUT") &&
                /has no user "no-such-user-xyz" \(`owner`\); create it there first, or give an existing name or a number\./.test(
                    e.message,
                ),
        );
        assert.deepStrictEqual(fs.readdirSync(site).sort(), before);
    });
});
