/**
 * A server that cannot chmod (vsftpd with `chmod_enable=NO` and `local_umask=077`: every file it creates is 0600),
 * through the real CLI: a RemoteFile and a RemoteTree asking for a mode the server will not give behave the same.
 * Less open than asked (0644 → 0600) is said in a warning; more open than asked (0400 → 0600) is refused before the
 * target is touched, so a file meant to be private is never left more readable than asked without a word.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ftpServers, serverConnection } from "../harness/ftpServers";
import { remoteFilesProgram } from "../harness/programs";
import { type FtpServer, startFtpServer } from "../harness/servers/ftpServer";
import { TestStack } from "../harness/stack";
import { dirsAndTreesProgram } from "../harness/treePrograms";
import { getWorld, remoteDir, type World } from "../harness/world";

const modeOf = (p: string) => fs.statSync(p).mode & 0o7777;

describe("a server that cannot chmod (vsftpd chmod_enable=NO, umask 077), through the engine", function () {
    let w: World;
    let server: FtpServer | undefined;
    let connection: Record<string, unknown>;

    before(async function () {
        w = await getWorld();
        const servers = await ftpServers();
        server = await startFtpServer(path.join(servers.dir, "vsftpdNoChmod"), "vsftpdNoChmod", {
            software: "vsftpd",
            tls: "explicit",
            cert: { server: servers.pki.server, ca: servers.pki.ca },
            chmod: false,
            umask: "077",
        });
        connection = serverConnection(servers, server);
    });

    after(async function () {
        await server?.stop();
    });

    it("a RemoteFile asking 0644 gets the server's 0600 and says so", async function () {
        const target = path.join(remoteDir(w, "nochmod"), "f.txt");
        const stack = new TestStack(w, "nochmod-file-open", remoteFilesProgram);
        stack.setSettings({ connection, files: [{ name: "f", path: target, content: "x\n", mode: "0644" }] });
        const r = await stack.run("up");
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(modeOf(target), 0o600);
        assert.match(
            r.output,
            /warning: filedrop: ftps:\/\/filedrop@127\.0\.0\.1:\d+\/\S+\/f\.txt is mode 0600, not the 0644 asked for: the server does not allow changing permission bits/,
        );
    });

    it("a RemoteFile asking 0400 is refused, not left 0600, and the target is untouched", async function () {
        const target = path.join(remoteDir(w, "nochmod"), "secret.txt");
        const stack = new TestStack(w, "nochmod-file-closed", remoteFilesProgram);
        stack.setSettings({ connection, files: [{ name: "f", path: target, content: "s\n", mode: "0400" }] });
        const r = await stack.run("up");
        assert.notStrictEqual(r.code, 0, `up should fail:\n${r.output}`);
        assert.match(
            r.output,
            /secret\.txt would be mode 0600, more open than the 0400 asked for, and the server does not allow changing permission bits/,
        );
        assert.ok(!fs.existsSync(target), "the target was written");
        assert.deepStrictEqual(fs.readdirSync(path.dirname(target)), [], "a temporary was left");
    });

    it("a RemoteTree behaves the same: 0644 files are 0600 with the warning, a 0400 file is refused", async function () {
        const src = fs.mkdtempSync(path.join(w.dir, "nochmod-src-"));
        fs.writeFileSync(path.join(src, "a.txt"), "a\n");
        const dest = remoteDir(w, "nochmod-tree");
        const stack = new TestStack(w, "nochmod-tree", dirsAndTreesProgram);
        stack.setSettings({ connection, trees: [{ name: "t", source: src, destination: dest }] });
        const r = await stack.run("up");
        assert.strictEqual(r.code, 0, r.output);
        assert.strictEqual(modeOf(path.join(dest, "a.txt")), 0o600);
        assert.match(
            r.output,
            /a\.txt is mode 0600, not the 0644 asked for: the server does not allow changing permission bits/,
        );

        fs.writeFileSync(path.join(src, "secret.txt"), "s\n");
        stack.setSettings({
            connection,
            trees: [{ name: "t", source: src, destination: dest, modes: { "secret.txt": "0400" } }],
        });
        const r2 = await stack.run("up");
        assert.notStrictEqual(r2.code, 0, `up should fail:\n${r2.output}`);
        assert.match(r2.output, /secret\.txt would be mode 0600, more open than the 0400 asked for/);
        assert.ok(!fs.existsSync(path.join(dest, "secret.txt")), "the file was written");
    });
});
