/**
 * Host key types through the engine (plain `pulumi up`): known_hosts (or a pinned `hostKey`) holding only the RSA key
 * of a server that also offers ed25519 connects, as OpenSSH does.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { remoteFilesProgram } from "../harness/programs";
import { sshdPerDescribe as variant } from "../harness/servers/sshdVariant";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

describe("ssh: known_hosts with only the RSA key of a server offering ed25519 too (engine)", function () {
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
