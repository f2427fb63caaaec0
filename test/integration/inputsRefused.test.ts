/**
 * Issue 8 items 7 and 8 through the real CLI against the test sshd: unknown fields (in `connection` and in a
 * resource's arguments), also inside `proxy`, are refused at preview with the closest known name; a tree file with a line
 * break in its name is refused at preview; RemoteDirectory's `mode` is not given to the parents it creates; large
 * `content` is warned about, and refused far above; a read-only folder names the folder; after a host re-key,
 * destroy's advice (run `pulumi up` with the new key first) is what actually works.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { CONTENT_MAX_BYTES } from "../../provider/defaults";
import { type Sshd, startSshd } from "../harness/servers/sshd";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, scratchDir, snapshot, sshConnection, type World } from "../harness/world";

/**
 * A program passing each entry's `args` to the resource as written, with the shared connection (and an entry's own
 * connection fields) merged in: unknown keys reach the SDK exactly as a user's typo would.
 */
const argsProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const filedrop = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
for (const r of s.resources) {
    const connection = { ...s.connection, ...(r.connection || {}) };
    for (const k of ["password", "privateKey", "privatekey"]) {
        if (connection[k] !== undefined) connection[k] = pulumi.secret(connection[k]);
    }
    new filedrop[r.type](r.name, { ...r.args, connection });
}
`;

const diagnostics = (output: string) => output.slice(output.lastIndexOf("Diagnostics:"));

/** A TCP forwarder on a fixed port whose target can be switched: the "same server" before and after a re-key. */
class SwitchableForward {
    private readonly server = net.createServer((c) => {
        const up = net.connect(this.target, "127.0.0.1");
        c.pipe(up).pipe(c);
        c.on("error", () => up.destroy());
        up.on("error", () => c.destroy());
        this.sockets.add(c).add(up);
    });
    private readonly sockets = new Set<net.Socket>();
    public port = 0;

    constructor(public target: number) {}

    async start(): Promise<this> {
        await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
        this.port = (this.server.address() as net.AddressInfo).port;
        return this;
    }

    /** Points new connections at another port and drops the open ones (the pool reconnects). */
    switchTo(target: number): void {
        this.target = target;
        for (const s of this.sockets) {
            s.destroy();
        }
        this.sockets.clear();
    }

    async stop(): Promise<void> {
        this.switchTo(this.target);
        await new Promise<void>((r) => this.server.close(() => r()));
    }
}

describe("inputs: refused fields, silent omissions and advice that works", function () {
    let w: World;

    before(async function () {
        w = await getWorld();
    });

    it("refuses unknown connection fields (also inside proxy) and unknown arguments at preview, naming the closest field; no secret shown", async function () {
        const root = remoteDir(w, "unknown");
        const key = fs.readFileSync(w.sshd.privateKeyPath, "utf8");
        const stack = new TestStack(w, "inputs-unknown", argsProgram);
        // The engine stops a preview at the first failing check, so each case gets its own run.
        const cases: [Record<string, unknown>, RegExp][] = [
            [
                {
                    type: "RemoteFile",
                    name: "typo",
                    connection: { hostkey: w.sshd.hostPublicKey },
                    args: { path: path.join(root, "a"), content: "a" },
                },
                /RemoteFile resource 'typo' has a problem: `connection\.hostkey` is not a field of `connection`; did you mean `hostKey`\?/,
            ],
            [
                {
                    type: "RemoteFile",
                    name: "bastion",
                    connection: { proxy: { host: "bastion.example", user: "jump", hostkey: w.sshd.hostPublicKey } },
                    args: { path: path.join(root, "b"), content: "b" },
                },
                /RemoteFile resource 'bastion' has a problem: `connection\.proxy\.hostkey` is not a field of `connection\.proxy`; did you mean `hostKey`\?/,
            ],
            [
                {
                    type: "RemoteFile",
                    name: "secret-typo",
                    connection: { privatekey: key },
                    args: { path: path.join(root, "c"), content: "c" },
                },
                /RemoteFile resource 'secret-typo' has a problem: `connection\.privatekey` is not a field of `connection`; did you mean `privateKey`\?/,
            ],
            [
                {
                    type: "RemoteDirectory",
                    name: "arg-typo",
                    args: { path: path.join(root, "d"), ondelete: "recursive" },
                },
                /RemoteDirectory resource 'arg-typo' has a problem: `ondelete` is not an argument of this resource; did you mean `onDelete`\?/,
            ],
        ];
        const outputs: string[] = [];
        for (const [resource, message] of cases) {
            stack.setSettings({ connection: sshConnection(w), resources: [resource] });
            const r = await stack.run("preview");
            assert.notStrictEqual(r.code, 0, r.output);
            assert.match(diagnostics(r.output), message);
            outputs.push(r.output);
        }
        const r = { output: outputs.join("\n") };
        const keyBody = key.split("\n")[1];
        assert.ok(!r.output.includes(keyBody), "the mistyped private key is shown in clear");
        assert.deepStrictEqual(snapshot(root), {}, "nothing may be written");
        // Also at up (no preview first): refused before anything connects.
        stack.setSettings({ connection: sshConnection(w), resources: [cases[0][0]] });
        const u = await stack.run("up");
        assert.notStrictEqual(u.code, 0, u.output);
        assert.match(
            diagnostics(u.output),
            /`connection\.hostkey` is not a field of `connection`; did you mean `hostKey`\?/,
        );
        assert.deepStrictEqual(snapshot(root), {});
        assert.ok(!stack.stateText().includes(keyBody), "the mistyped private key is in the state");
    });

    it("refuses a tree source file with a line break in its name at preview, naming it", async function () {
        const src = path.join(scratchDir(), `nl-src-${Date.now()}`);
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, "ok.txt"), "ok");
        fs.writeFileSync(path.join(src, "bad\nname.txt"), "x");
        const root = remoteDir(w, "nl");
        const stack = new TestStack(w, "inputs-newline", argsProgram);
        stack.setSettings({
            connection: sshConnection(w),
            resources: [
                { type: "RemoteTree", name: "site", args: { source: src, destination: path.join(root, "site") } },
            ],
        });
        const r = await stack.run("preview");
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(
            diagnostics(r.output),
            /RemoteTree resource 'site' has a problem: `source` file "bad\\nname\.txt" has a line break in its name, which cannot be sent as a remote path; rename it or exclude it/,
        );
        stack.setSettings({
            connection: sshConnection(w),
            resources: [
                {
                    type: "RemoteTree",
                    name: "site",
                    args: { source: src, destination: path.join(root, "site"), exclude: ["bad?name.txt"] },
                },
            ],
        });
        await stack.ok("up");
        assert.deepStrictEqual(Object.keys(snapshot(path.join(root, "site"))), ["ok.txt"]);
        await stack.ok("destroy");
    });

    it("gives RemoteDirectory's mode to the folder only, not to the parents it creates", async function () {
        const root = remoteDir(w, "dirmode");
        const stack = new TestStack(w, "inputs-dirmode", argsProgram);
        stack.setSettings({
            connection: sshConnection(w),
            resources: [
                { type: "RemoteDirectory", name: "deep", args: { path: path.join(root, "a/b/c"), mode: "0700" } },
            ],
        });
        await stack.ok("up");
        const mode = (p: string) => fs.statSync(path.join(root, p)).mode & 0o777;
        assert.strictEqual(mode("a/b/c"), 0o700);
        assert.notStrictEqual(mode("a"), 0o700, "a parent got the folder's mode");
        assert.notStrictEqual(mode("a/b"), 0o700, "a parent got the folder's mode");
        assert.strictEqual(mode("a"), mode("a/b"), "both parents have the server's default mode");
        await stack.ok("destroy");
        assert.deepStrictEqual(snapshot(root), {});
    });

    it("warns about content above 1 MiB (pointing to source) and refuses it above the limit", async function () {
        const root = remoteDir(w, "big");
        const stack = new TestStack(w, "inputs-bigcontent", argsProgram);
        const big = "x".repeat(2 << 20);
        stack.setSettings({
            connection: sshConnection(w),
            resources: [{ type: "RemoteFile", name: "big", args: { path: path.join(root, "big.txt"), content: big } }],
        });
        const r = await stack.ok("up");
        assert.match(
            r.output,
            /big: `content` is 2 MiB; text content is kept in the state .* give the bytes as a file with `source` instead/,
        );
        assert.strictEqual(fs.statSync(path.join(root, "big.txt")).size, 2 << 20);
        await stack.ok("destroy");
        const huge = "y".repeat(CONTENT_MAX_BYTES + (1 << 20));
        stack.setSettings({
            connection: sshConnection(w),
            resources: [
                { type: "RemoteFile", name: "huge", args: { path: path.join(root, "huge.txt"), content: huge } },
            ],
        });
        const p = await stack.run("preview");
        assert.notStrictEqual(p.code, 0, p.output);
        assert.match(
            diagnostics(p.output),
            /RemoteFile resource 'huge' has a problem: `content` is 17 MiB, above the 16 MiB limit for text kept in the state: write it to a file and give its path as `source`/,
        );
        assert.deepStrictEqual(snapshot(root), {});
    });

    it("names the folder when a writable file sits in a read-only folder, and leaves the file as it was", async function () {
        const root = remoteDir(w, "ro");
        const target = path.join(root, "app.conf");
        fs.writeFileSync(target, "old\n", { mode: 0o644 });
        fs.chownSync(target, w.uid, w.gid);
        fs.chmodSync(root, 0o555);
        try {
            const stack = new TestStack(w, "inputs-readonly", argsProgram);
            stack.setSettings({
                connection: sshConnection(w),
                resources: [{ type: "RemoteFile", name: "conf", args: { path: target, content: "new\n" } }],
            });
            const r = await stack.run("up");
            assert.notStrictEqual(r.code, 0, r.output);
            const folder = `sftp://${w.sshd.user}@127.0.0.1:${w.sshd.port}${root}`;
            assert.ok(
                diagnostics(r.output).includes(
                    // The file existed, so the first thing written beside it is the copy destroy would put back.
                    `Permission denied to write a copy of the earlier file in folder ${folder}; the folder must be writable`,
                ) && /the folder must be writable by the remote user, not only the file/.test(r.output),
                r.output,
            );
            assert.strictEqual(fs.readFileSync(target, "utf8"), "old\n");
        } finally {
            fs.chmodSync(root, 0o755);
        }
    });

    it("after a host re-key, destroy says to run up with the new hostKey first, and that works", async function () {
        const other: Sshd = await startSshd(path.join(scratchDir(), `rekey-${Date.now()}`));
        const fwd = await new SwitchableForward(w.sshd.port).start();
        try {
            const root = remoteDir(w, "rekey");
            const stack = new TestStack(w, "inputs-rekey", argsProgram);
            const conn = (hostKey: string) => ({
                host: "127.0.0.1",
                port: fwd.port,
                user: w.sshd.user,
                password: w.sshd.password,
                hostKey,
                dialErrorLimit: 1,
            });
            const file = { type: "RemoteFile", name: "f", args: { path: path.join(root, "f.txt"), content: "x" } };
            stack.setSettings({ connection: conn(w.sshd.hostPublicKey), resources: [file] });
            await stack.ok("up");
            fwd.switchTo(other.port); // the server was re-keyed
            stack.setSettings({ connection: conn(other.hostPublicKey), resources: [file] });
            const d = await stack.run("destroy");
            assert.notStrictEqual(d.code, 0, d.output);
            assert.match(d.output, /does not match the pinned `hostKey`/);
            assert.match(
                d.output,
                /destroy connects with the connection kept in the state, not the one in your program; after changing `hostKey` or `knownHosts` in the program, run `pulumi up` first \(it updates the state\), then destroy again/,
            );
            assert.ok(fs.existsSync(path.join(root, "f.txt")));
            // The advice, followed: up with the new key updates the state's connection; then destroy works.
            const u = await stack.ok("up");
            assert.strictEqual(u.summary.update, 1, u.output);
            await stack.ok("destroy");
            assert.ok(!fs.existsSync(path.join(root, "f.txt")));
        } finally {
            await fwd.stop();
            await other.stop();
        }
    });
});
