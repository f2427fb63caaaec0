/**
 * Issue 8 items 3, 4 and 5 end to end: plain `pulumi up` through the engine against real OpenSSH variants.
 * - item 3: an sshd whose SFTP subsystem refuses renames keeps the target on a failure (no remove-then-rename),
 *   and one refusing only posix-rename replaces the file non-atomically, saying so (`atomic: false`).
 * - item 4: known_hosts (or a pinned `hostKey`) holding only the server's RSA key while the server also offers
 *   ed25519 connects, as OpenSSH does.
 * - item 5: sshd `MaxSessions 2`, 50 files with `validate`: every validate runs and every file is verified by the
 *   server's hasher (no silent fallback to read-back).
 * Each variant server is started once in its describe.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { type Sshd, type SshdOptions, startSshd } from "../harness/servers/sshd";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, scratchDir, sshConnection, type World } from "../harness/world";

const REMOTE_FILE = "pulumi-nodejs:dynamic/filedrop:RemoteFile";
let n = 0;
const serverDir = (name: string) => path.join(scratchDir(), "servers", `issue8-${name}-${n++}`);
const ours = (dir: string) => fs.readdirSync(dir).filter((e) => e.includes(".filedrop-"));

function variant(options: SshdOptions, name: string): { get: () => Sshd } {
    let s: Sshd | undefined;
    before(async function () {
        s = await startSshd(serverDir(name), options);
    });
    after(async () => s?.stop());
    return { get: () => s! };
}

function seed(w: World, dir: string, name: string, content: string): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    fs.chownSync(p, w.uid, w.gid);
    return p;
}

describe("issue 8 item 3: renames never lose the target (sftp, engine)", function () {
    let w: World;
    before(async function () {
        w = await getWorld();
    });

    describe("server refusing every rename (internal-sftp -P rename,posix-rename)", function () {
        const s = variant({ sftpArgs: ["-P", "rename,posix-rename"] }, "norename");
        it("`up` over an existing file fails and the target keeps its old content; no temporary is left", async function () {
            const dir = remoteDir(w, "i8-norename");
            const target = seed(w, dir, "app.conf", "old\n");
            const stack = new TestStack(w, "i8-norename", remoteFilesProgram);
            stack.setSettings({
                connection: sshConnection({ ...w, sshd: s.get() }),
                files: [{ name: "f", path: target, content: "new\n" }],
            });
            const r = await stack.run("up");
            assert.notStrictEqual(r.code, 0, r.output);
            assert.ok(fs.existsSync(target), `the target was deleted; the CLI said:\n${r.output}`);
            assert.strictEqual(fs.readFileSync(target, "utf8"), "old\n");
            assert.match(
                r.output,
                /Cannot replace .*app\.conf: the server does not rename over an existing file.*the target was left untouched/,
            );
            assert.deepStrictEqual(ours(dir), []);
        });
    });

    describe("server refusing only posix-rename (internal-sftp -P posix-rename)", function () {
        const s = variant({ sftpArgs: ["-P", "posix-rename"] }, "noposix");
        it("`up` replaces the file by moving the old one aside, outputs atomic false, leaves only the copy destroy puts back", async function () {
            const dir = remoteDir(w, "i8-noposix");
            const target = seed(w, dir, "app.conf", "old\n");
            const stack = new TestStack(w, "i8-noposix", remoteFilesProgram);
            stack.setSettings({
                connection: sshConnection({ ...w, sshd: s.get() }),
                files: [{ name: "f", path: target, content: "new\n" }],
            });
            await stack.ok("up");
            assert.strictEqual(fs.readFileSync(target, "utf8"), "new\n");
            const outs = stack.resources(REMOTE_FILE)[0].outputs as { atomic: boolean; backupPath: string };
            assert.strictEqual(outs.atomic, false);
            // The file existed, so the stack keeps a copy of it (issue 8 item 2) and nothing else of ours.
            assert.deepStrictEqual(ours(dir), [path.basename(outs.backupPath)]);
            assert.strictEqual(fs.readFileSync(outs.backupPath, "utf8"), "old\n");
            await stack.ok("destroy");
            assert.strictEqual(
                fs.readFileSync(target, "utf8"),
                "old\n",
                "destroy puts the earlier file back without an atomic rename",
            );
            assert.deepStrictEqual(ours(dir), []);
        });
    });
});

describe("issue 8 item 5: exec channels vs sshd MaxSessions 2 (engine)", function () {
    let w: World;
    before(async function () {
        w = await getWorld();
    });
    const s = variant({ maxSessions: 2 }, "maxsessions");

    it("50 files with `validate`: every validate runs, every file is verified by the server's hasher", async function () {
        const dir = remoteDir(w, "i8-maxsessions");
        const log = path.join(dir, "validated.log");
        const files = Array.from({ length: 50 }, (_, i) => ({
            name: `f${i}`,
            path: path.join(dir, "conf", `f${i}.conf`),
            content: `n = ${i}\n`,
            // Runs on the temporary; each run leaves one line, so the test can count them.
            validate: `grep -q '^n = ' {path} && echo ok >> ${log}`,
        }));
        const stack = new TestStack(w, "i8-maxsessions", remoteFilesProgram);
        stack.setSettings({ connection: sshConnection({ ...w, sshd: s.get() }), files });
        const r = await stack.ok("up");
        assert.doesNotMatch(r.output, /does not allow running commands|reading them back/);
        assert.strictEqual(
            fs
                .readFileSync(log, "utf8")
                .split("\n")
                .filter((l) => l === "ok").length,
            50,
        );
        const outs = stack.resources(REMOTE_FILE).map((x) => x.outputs.verifiedBy);
        assert.strictEqual(outs.length, 50);
        assert.deepStrictEqual([...new Set(outs)], ["ssh exec: openssl dgst -sha256"]);
        for (const f of files) {
            assert.strictEqual(fs.readFileSync(f.path, "utf8"), f.content);
        }
        await stack.ok("destroy");
    });
});

describe("issue 8 item 4: known_hosts with only the RSA key of a server offering ed25519 too (engine)", function () {
    let w: World;
    before(async function () {
        w = await getWorld();
    });
    const s = variant({ hostKeyTypes: ["ed25519", "rsa"] }, "twokeys");

    it("`up` connects with known_hosts holding only the RSA line, and with the RSA key line pinned as `hostKey`", async function () {
        const sshd = s.get();
        const rsa = sshd.hostKeys[1];
        assert.match(rsa.publicKey, /^ssh-rsa /);
        const rsaOnly = path.join(path.dirname(sshd.knownHostsPath), "known_hosts.rsa-only");
        fs.writeFileSync(rsaOnly, `[${sshd.host}]:${sshd.port} ${rsa.publicKey}\n`);
        const dir = remoteDir(w, "i8-twokeys");
        const viaKnownHosts = path.join(dir, "known-hosts.txt");
        const viaPin = path.join(dir, "pinned.txt");
        const base = sshConnection({ ...w, sshd });
        const stack = new TestStack(w, "i8-twokeys", remoteFilesProgram);
        stack.setSettings({
            connection: { ...base, knownHosts: rsaOnly },
            files: [
                { name: "known", path: viaKnownHosts, content: "via known_hosts\n" },
                {
                    name: "pinned",
                    path: viaPin,
                    content: "via hostKey\n",
                    connection: { knownHosts: undefined, hostKey: rsa.publicKey },
                },
            ],
        });
        const r = await stack.ok("up");
        assert.doesNotMatch(r.output, /ssh-keygen -R|intercepting/);
        assert.strictEqual(fs.readFileSync(viaKnownHosts, "utf8"), "via known_hosts\n");
        assert.strictEqual(fs.readFileSync(viaPin, "utf8"), "via hostKey\n");
        await stack.ok("destroy");
    });
});
