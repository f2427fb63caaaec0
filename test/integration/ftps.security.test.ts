/**
 * FTPS security through the real Pulumi CLI against the real vsftpd and ProFTPD of ftpServers.ts: untrusted
 * certificates, wrong pins and servers without TLS are refused before the login and nothing is written; plaintext
 * FTP is refused at preview unless allowed; HASH is used where the server offers it; and a packet capture shows
 * the file bytes never cross the loopback in clear text over FTPS (while they do over plain FTP, the control).
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Capture } from "../harness/capture";
import { type FtpServerKey, ftpConnection, ftpServers, worldFtpServers } from "../harness/ftpServers";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, snapshot, type World } from "../harness/world";

describe("FTPS security through the engine", function () {
    let w: World;
    let n = 0;

    before(async function () {
        w = await getWorld();
        await ftpServers();
    });

    function stackFor(
        connection: Record<string, unknown>,
        content = "x\n",
    ): { stack: TestStack; root: string; target: string } {
        const root = remoteDir(w, "ftpsec");
        const target = path.join(root, "sub", "f.txt");
        const stack = new TestStack(w, `ftpsec-${++n}`, remoteFilesProgram);
        stack.setSettings({ connection, files: [{ name: "f", path: target, content }] });
        return { stack, root, target };
    }

    /** Runs `up`, expects it to fail without writing anything; returns the output. */
    async function failingUp(connection: Record<string, unknown>): Promise<string> {
        const { stack, root } = stackFor(connection);
        const r = await stack.run("up");
        assert.notStrictEqual(r.code, 0, `up should fail:\n${r.output}`);
        assert.deepStrictEqual(snapshot(root), {}, "something was written");
        const servers = worldFtpServers(w);
        assert.ok(!r.output.includes(servers.password), "the password appears in the output");
        return r.output;
    }

    /** Log lines a server wrote while `f` ran. */
    async function serverLog(key: FtpServerKey, f: () => Promise<unknown>): Promise<string> {
        const log = worldFtpServers(w).servers[key].logFile;
        const before = fs.statSync(log).size;
        await f();
        return fs.readFileSync(log).subarray(before).toString("utf8");
    }

    it("refuses a certificate from another CA, naming its fingerprint and the `ca`/`certFingerprint` options", async function () {
        const servers = worldFtpServers(w);
        let output = "";
        const log = await serverLog(
            "vsftpdOtherCa",
            async () => (output = await failingUp(ftpConnection(w, "vsftpdOtherCa"))),
        );
        assert.match(
            output,
            /The TLS certificate of ftps:\/\/filedrop@127\.0\.0\.1:\d+ \(SHA-256 [0-9A-F:]+, subject CN=localhost, issuer CN=filedrop OTHER test CA.*\) is not trusted: it is not signed by a trusted CA/,
        );
        assert.ok(
            output.includes(
                `pin this certificate with \`certFingerprint: "${servers.otherServerCertFingerprint256}"\``,
            ),
            output,
        );
        assert.match(output, /Give the CA that signed it as `ca`/);
        assert.ok(!/\bUSER\b|\bPASS\b/.test(log), `credentials were sent:\n${log}`);
    });

    it("refuses a wrong pinned fingerprint before sending the login", async function () {
        const servers = worldFtpServers(w);
        const pin = randomBytes(32).toString("hex");
        let output = "";
        const log = await serverLog(
            "proftpdExplicit",
            async () => (output = await failingUp(ftpConnection(w, "proftpdExplicit", { certFingerprint: pin }))),
        );
        assert.ok(
            output.includes(`does not match \`certFingerprint\` ${pin.toUpperCase().match(/../g)!.join(":")}`),
            output,
        );
        assert.ok(output.includes(servers.serverCertFingerprint256), output);
        assert.ok(!/\bUSER\b|\bPASS\b/.test(log), `credentials were sent:\n${log}`);
    });

    it("refuses a server without TLS, over explicit and implicit FTPS", async function () {
        const explicit = await failingUp(ftpConnection(w, "plain", { protocol: "ftps", allowPlaintext: undefined }));
        assert.match(
            explicit,
            /ftps:\/\/filedrop@127\.0\.0\.1:\d+ does not offer TLS: it answered AUTH TLS with "530 Please login with USER and PASS\."/,
        );
        assert.match(explicit, /use protocol "ftp" with `allowPlaintext: true`/);
        const implicit = await failingUp(
            ftpConnection(w, "plain", { protocol: "ftps-implicit", allowPlaintext: undefined }),
        );
        assert.match(
            implicit,
            /TLS handshake with ftps-implicit:\/\/filedrop@127\.0\.0\.1:\d+ failed .*the server may not speak implicit TLS on this port/,
        );
    });

    it('refuses protocol "ftp" without allowPlaintext at preview, with the check sentence', async function () {
        const { stack, root } = stackFor(ftpConnection(w, "plain", { allowPlaintext: undefined }));
        const r = await stack.run("preview");
        assert.notStrictEqual(r.code, 0, r.output);
        assert.match(
            r.output,
            /is "ftp", which sends the password and the files in clear text: use "ftps", or set `allowPlaintext: true` if you accept that/,
        );
        assert.deepStrictEqual(snapshot(root), {});
    });

    it("verifies with HASH on ProFTPD (no read-back), and by reading back on vsftpd", async function () {
        const cases: { key: FtpServerKey; verifiedBy: string; reads: boolean }[] = [
            { key: "proftpdExplicit", verifiedBy: "ftp HASH", reads: false },
            { key: "vsftpdExplicit", verifiedBy: "read-back", reads: true },
        ];
        for (const c of cases) {
            const { stack, target } = stackFor(ftpConnection(w, c.key), `verified over ${c.key}\n`);
            const log = await serverLog(c.key, () => stack.ok("up"));
            assert.strictEqual(fs.readFileSync(target, "utf8"), `verified over ${c.key}\n`);
            const outs = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteFile")[0].outputs;
            assert.strictEqual(outs.verifiedBy, c.verifiedBy, c.key);
            assert.strictEqual(/\bRETR\b/.test(log), c.reads, `${c.key} RETR in log:\n${log}`);
            if (c.verifiedBy === "ftp HASH") {
                assert.match(log, /\bHASH\b/);
            }
            await stack.ok("destroy");
        }
    });

    it("sends no plaintext file bytes over FTPS (packet capture), while plain FTP does (control)", async function () {
        this.timeout(300000);
        const servers = worldFtpServers(w);
        const run = async (key: FtpServerKey, extra: Record<string, unknown> = {}) => {
            const marker = `FILEDROP-MARKER-${randomBytes(12).toString("hex")}`;
            const s = servers.servers[key];
            const { stack, target } = stackFor(ftpConnection(w, key, extra), `${marker}\n`);
            const capture = await Capture.start(w.dir, [s.port, s.passivePorts]);
            const up = await stack.run("up");
            const pcap = await capture.stop();
            assert.strictEqual(up.code, 0, up.output);
            assert.strictEqual(fs.readFileSync(target, "utf8"), `${marker}\n`);
            assert.ok(pcap.length > 2000, `capture too small (${pcap.length} bytes)`);
            await stack.ok("destroy");
            return {
                sawMarker: pcap.includes(Buffer.from(marker)),
                sawPassword: pcap.includes(Buffer.from(servers.password)),
                output: up.output,
            };
        };
        for (const key of ["vsftpdExplicit", "proftpdExplicit", "vsftpdImplicit"] as FtpServerKey[]) {
            const r = await run(key);
            assert.strictEqual(r.sawMarker, false, `file bytes in clear text on the wire to ${key}`);
            assert.strictEqual(r.sawPassword, false, `password in clear text on the wire to ${key}`);
        }
        const plain = await run("plain");
        assert.strictEqual(
            plain.sawMarker,
            true,
            "control failed: the marker was not seen over plain FTP, so the capture proves nothing",
        );
        assert.strictEqual(plain.sawPassword, true, "control failed: the password was not seen over plain FTP");
        assert.match(
            plain.output,
            /protocol "ftp" sends the password and the file content to 127\.0\.0\.1 in clear text/,
        );
    });
});
