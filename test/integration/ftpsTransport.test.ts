/**
 * The FTPS/FTP transport on its own (no engine), against the real vsftpd and ProFTPD of ftpServers.ts: every
 * Transport method, what each server offers (HASH, SITE CHMOD, rename over a file), the TLS refusals, and
 * concurrent operations sharing the connection set.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { ConnectionInputs, CredentialInputs } from "../../provider/connection";
import { isFiledropError } from "../../provider/errors";
import { sha256OfStream } from "../../provider/hashing";
import { verifiedUpload } from "../../provider/ops/upload";
import { openFtps } from "../../provider/transport/ftp/ftps";
import { ftpsStats } from "../../provider/transport/ftp/ftpsSessions";
import { closeAll, poolStats, withTransport } from "../../provider/transport/pool";
import type { Transport } from "../../provider/transport/types";
import {
    countFtpConnections,
    type FtpServerKey,
    ftpConnection,
    ftpServers,
    worldFtpServers,
} from "../harness/ftpServers";
import { startScriptedFtpServer } from "../harness/scriptedFtpServer";
import { getServers, remoteDir, type Servers } from "../harness/world";

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

function split(conn: Record<string, unknown>): { c: ConnectionInputs; creds: CredentialInputs } {
    const { password, ...c } = conn;
    return { c: c as unknown as ConnectionInputs, creds: { password: password as string } };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
    try {
        await p;
    } catch (e) {
        assert.ok(isFiledropError(e), `not a FiledropError: ${e}`);
        return { code: e.code, message: e.message };
    }
    throw new Error("expected a refusal");
}

const SERVERS: { key: FtpServerKey; hash: string | undefined }[] = [
    { key: "vsftpdExplicit", hash: undefined },
    { key: "vsftpdImplicit", hash: undefined },
    { key: "proftpdExplicit", hash: "ftp HASH" },
    { key: "proftpdImplicit", hash: "ftp HASH" },
    { key: "plain", hash: undefined },
];

describe("FTPS transport", function () {
    let w: Servers;
    before(async function () {
        w = await getServers();
        await ftpServers();
    });
    after(() => closeAll());

    for (const { key, hash } of SERVERS) {
        describe(`on ${key}`, function () {
            let t: Transport;
            let root: string;
            before(async function () {
                root = remoteDir(w, `ftpt-${key}`);
                const { c, creds } = split(ftpConnection(w, key));
                t = await openFtps(c, creds);
            });
            after(() => t?.close());

            it("reports its capabilities", function () {
                assert.deepStrictEqual(t.capabilities, {
                    atomicOverwrite: true,
                    chmod: true,
                    chown: false,
                    exec: false,
                });
            });

            it("creates, stats, lists and removes a folder", async function () {
                const d = path.join(root, "sub dir");
                await t.mkdir(d);
                assert.strictEqual((await t.stat(d))?.kind, "directory");
                assert.strictEqual(fs.statSync(d).mode & 0o777, 0o755);
                assert.strictEqual(await t.stat(path.join(root, "missing")), undefined);
                await assert.rejects(t.mkdir(d), (e: unknown) => isFiledropError(e) && e.code === "REMOTE_IO");
                await t.rmdir(d);
                assert.ok(!fs.existsSync(d));
            });

            it("writes private files (mode 0600 from the first byte), reads them back, and hashes them", async function () {
                const body = randomBytes(3 << 20);
                const p = path.join(root, ".hidden file.bin");
                const n = await t.write(p, Readable.from([body]), 0o600);
                assert.strictEqual(n, body.length);
                assert.strictEqual(fs.statSync(p).mode & 0o777, 0o600);
                assert.ok(fs.readFileSync(p).equals(body));
                const st = await t.stat(p);
                assert.strictEqual(st?.kind, "file");
                assert.strictEqual(st?.size, body.length);
                assert.strictEqual(st?.mode, 0o600);
                assert.ok(Math.abs((st?.mtime ?? 0) - Date.now() / 1000) < 120, `mtime ${st?.mtime}`);
                assert.strictEqual((await sha256OfStream(await t.read(p))).sha256, sha(body));
                const remote = await t.remoteSha256(p);
                assert.deepStrictEqual(remote, hash ? { sha256: sha(body), method: hash } : undefined);
                const names = (await t.list(root)).map((e) => e.name);
                assert.ok(names.includes(".hidden file.bin"), names.join(","));
            });

            it("writes an empty file", async function () {
                const p = path.join(root, "empty");
                for (let i = 0; i < 5; i++) {
                    assert.strictEqual(await t.write(p, Readable.from([]), 0o600), 0);
                }
                assert.strictEqual(fs.statSync(p).size, 0);
                assert.strictEqual((await t.stat(p))?.size, 0);
            });

            it("renames over an existing file atomically, sets modes, and removes files (also gone ones)", async function () {
                const a = path.join(root, "a.tmp");
                const b = path.join(root, "b.txt");
                await t.write(b, Readable.from([Buffer.from("old\n")]));
                await t.write(a, Readable.from([Buffer.from("new\n")]), 0o600);
                await t.chmod(a, 0o640);
                await t.rename(a, b);
                assert.strictEqual(t.capabilities.atomicOverwrite, true);
                assert.strictEqual(fs.readFileSync(b, "utf8"), "new\n");
                assert.strictEqual(fs.statSync(b).mode & 0o777, 0o640);
                await t.remove(b);
                await t.remove(b);
                assert.ok(!fs.existsSync(b));
            });

            it("a failed read is an error, never a short file", async function () {
                await assert.rejects(
                    sha256OfStream(await t.read(path.join(root, "nope"))),
                    (e: unknown) => isFiledropError(e) && e.code === "REMOTE_IO",
                );
            });

            it("refuses chown and exec as unsupported", async function () {
                await assert.rejects(
                    t.chown(root, 0, 0),
                    (e: unknown) => isFiledropError(e) && e.code === "UNSUPPORTED",
                );
                await assert.rejects(t.exec("true"), (e: unknown) => isFiledropError(e) && e.code === "UNSUPPORTED");
            });

            it("runs the verified upload, verified by the server's HASH or by reading back", async function () {
                const body = randomBytes(100000);
                const target = path.join(root, "x", "y", "file.bin");
                const r = await verifiedUpload(t, {
                    path: target,
                    open: () => Readable.from([body]),
                    createParents: true,
                    mode: 0o644,
                });
                assert.strictEqual(r.verifiedBy, hash ?? "read-back");
                assert.deepStrictEqual(r.createdDirs, [path.join(root, "x"), path.join(root, "x", "y")]);
                assert.strictEqual(r.atomic, true);
                assert.strictEqual(fs.statSync(target).mode & 0o777, 0o644);
                assert.ok(fs.readFileSync(target).equals(body));
                assert.deepStrictEqual(fs.readdirSync(path.dirname(target)), ["file.bin"]);
            });
        });
    }

    describe("refusals", function () {
        it("a certificate from another CA: TLS_VERIFY_FAILED naming the certificate and the options", async function () {
            const servers = worldFtpServers(w);
            const { c, creds } = split(ftpConnection(w, "vsftpdOtherCa"));
            const r = await refusal(openFtps(c, creds));
            assert.strictEqual(r.code, "TLS_VERIFY_FAILED");
            assert.ok(r.message.includes(servers.otherServerCertFingerprint256), r.message);
            assert.match(r.message, /not signed by a trusted CA/);
            assert.match(r.message, /`ca`/);
            assert.match(r.message, /`certFingerprint/);
            assert.ok(!r.message.includes(servers.password));
        });

        it("the same server with its certificate pinned is accepted", async function () {
            const servers = worldFtpServers(w);
            const { c, creds } = split(
                ftpConnection(w, "vsftpdOtherCa", {
                    ca: undefined,
                    certFingerprint: servers.otherServerCertFingerprint256.toLowerCase().replace(/:/g, ""),
                }),
            );
            const t = await openFtps(c, creds);
            await t.write(path.join(remoteDir(w, "pinned"), "f"), Readable.from([Buffer.from("pinned\n")]));
            t.close();
        });

        it("a wrong pin: TLS_VERIFY_FAILED before the login", async function () {
            const servers = worldFtpServers(w);
            const before = fs.readFileSync(servers.vsftpdExplicit.logFile, "utf8");
            const { c, creds } = split(ftpConnection(w, "vsftpdExplicit", { certFingerprint: "AB".repeat(32) }));
            const r = await refusal(openFtps(c, creds));
            assert.strictEqual(r.code, "TLS_VERIFY_FAILED");
            assert.match(r.message, /does not match `certFingerprint` AB:AB/);
            assert.ok(r.message.includes(servers.serverCertFingerprint256), r.message);
            const log = fs.readFileSync(servers.vsftpdExplicit.logFile, "utf8").slice(before.length);
            assert.ok(!/USER|PASS/.test(log), `credentials were sent:\n${log}`);
        });

        it("a server without TLS: TLS_REQUIRED for explicit and implicit FTPS", async function () {
            const plain = worldFtpServers(w).plain;
            for (const protocol of ["ftps", "ftps-implicit"]) {
                const { c, creds } = split(ftpConnection(w, "plain", { protocol, allowPlaintext: undefined }));
                const r = await refusal(openFtps(c, creds));
                assert.strictEqual(r.code, "TLS_REQUIRED", r.message);
                assert.ok(r.message.includes(`${protocol}://filedrop@127.0.0.1:${plain.port}`), r.message);
            }
        });

        it("plain FTP to a server that requires TLS: TLS_REQUIRED", async function () {
            const { c, creds } = split(ftpConnection(w, "proftpdExplicit", { protocol: "ftp", allowPlaintext: true }));
            assert.strictEqual((await refusal(openFtps(c, creds))).code, "TLS_REQUIRED");
        });

        it("a server refusing PROT P: TLS_REQUIRED, never a plaintext data channel", async function () {
            const tlsDir = worldFtpServers(w).tlsDir;
            const server = await startScriptedFtpServer(
                fs.readFileSync(path.join(tlsDir, "server.pem"), "utf8"),
                fs.readFileSync(path.join(tlsDir, "server.key"), "utf8"),
                {
                    OPTS: "200 OK.",
                    USER: "331 Password required.",
                    PASS: "230 Logged in.",
                    FEAT: "211 No features.",
                    TYPE: "200 Binary mode.",
                    PBSZ: "200 PBSZ=0",
                    PROT: "536 PROT P not supported.",
                },
            );
            try {
                const { c, creds } = split(ftpConnection(w, "vsftpdExplicit", { port: server.port }));
                const r = await refusal(openFtps(c, creds));
                assert.strictEqual(r.code, "TLS_REQUIRED");
                assert.match(r.message, /refused to protect the data channel \(PROT P\): "536 PROT P not supported\."/);
                assert.ok(server.received.includes("PROT P"), server.received.join("|"));
                assert.ok(
                    !server.received.some((l) => /^(PASV|EPSV|PORT|EPRT|STOR|RETR|LIST|MLSD)\b/.test(l)),
                    server.received.join("|"),
                );
            } finally {
                await server.close();
            }
        });

        it("a wrong password: AUTH_FAILED, not retried, password not in the message", async function () {
            const { c } = split(ftpConnection(w, "proftpdExplicit"));
            const r = await refusal(withTransport(c, { password: "wrong-password-123" }, async () => undefined));
            assert.strictEqual(r.code, "AUTH_FAILED");
            assert.ok(!r.message.includes("wrong-password-123"));
        });
    });

    describe("concurrency", function () {
        it("24 uploads at once through the pool share at most 4 control connections", async function () {
            const servers = worldFtpServers(w);
            const root = remoteDir(w, "ftpconc");
            const { c, creds } = split(ftpConnection(w, "proftpdExplicit", { maxSessions: 8 }));
            await closeAll();
            // Control connections counted where they are opened (this test's only) and, as a lower bound, in the
            // server's log, which the whole suite shares (one full-suite run saw 10 CONNECT lines in this window).
            const before = countFtpConnections(servers.proftpdExplicit);
            const controlsBefore = ftpsStats.controlConnectionsOpened;
            const retriesBefore = poolStats.operationRetries;
            const bodies = Array.from({ length: 24 }, (_, i) => randomBytes(1000 + i));
            const results = await Promise.all(
                bodies.map((b, i) =>
                    withTransport(c, creds, (t) =>
                        verifiedUpload(t, {
                            path: path.join(root, `f${i}`),
                            open: () => Readable.from([b]),
                            createParents: false,
                        }),
                    ),
                ),
            );
            assert.ok(results.every((r) => r.verifiedBy === "ftp HASH"));
            for (const [i, b] of bodies.entries()) {
                assert.ok(fs.readFileSync(path.join(root, `f${i}`)).equals(b));
            }
            const opened = ftpsStats.controlConnectionsOpened - controlsBefore;
            const seen = countFtpConnections(servers.proftpdExplicit) - before;
            const retries = poolStats.operationRetries - retriesBefore;
            const counts = `${opened} control connections opened, ${seen} seen by the server, ${retries} operations retried`;
            assert.ok(opened >= 1 && opened <= 4, counts);
            assert.ok(seen >= opened, counts);
        });
    });
});
