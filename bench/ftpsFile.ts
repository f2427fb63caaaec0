/**
 * One large file over explicit FTPS, side by side with curl (SPEC §7, FTPS target):
 *
 *   node dist/bench/ftpsFile.js [--mib 200] [--runs 3] [--timeout 900]
 *
 * Starts throwaway FTP servers (test/harness/ftpServers.ts), writes a random source file of N MiB, and measures, in the
 * same run and in alternating order, the median of `--runs` uploads to ProFTPD (offers HASH) and to vsftpd (no
 * HASH) of:
 *   - `curl --ssl-reqd --cacert CA -T file ftp://127.0.0.1:PORT//abs/path` (explicit TLS, protected data channel),
 *   - our provider's real code path, `verifiedUpload` (provider/upload.ts) over `openFtps`
 *     (provider/transport/ftp/ftps.ts): streaming hash, size check, SHA-256 by `HASH` on ProFTPD or by reading the
 *     file back from vsftpd, chmod, atomic rename,
 *   - the same transport's `write` alone (no hashing, no verification, no rename), to show what verification costs.
 * Ours run in a child node process each time, so the child's peak RSS is the provider process's peak memory.
 *
 * MB/s are 10^6 bytes per second of wall time including connection set-up (curl: the whole process; ours:
 * connect + upload inside the child, node start-up excluded and reported apart). The target ratio (≥ 0.9× curl)
 * applies where the server offers HASH; the read-back figure (vsftpd) is reported separately, as SPEC §7 says.
 * Prints a table and a final one-line JSON summary. Everything it starts and writes is removed at the end, also
 * on failure or Ctrl-C.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startFtpServers } from "../test/harness/ftpServers";
import {
    type ChildResult as BaseChildResult,
    type Sample as BaseSample,
    benchMain,
    childSample,
    largeFileArgs,
    log,
    MIB,
    measureAlternating,
    medianPhases,
    rowFigures,
    run,
    runChild,
    Scratch,
    TABLE_HEAD,
    tableCells,
    type UploadJob,
    uploadInChild,
    wallSample,
    writeRandomFile,
} from "./common";

type ServerKey = "proftpdExplicit" | "vsftpdExplicit";
const SERVER_KEYS: readonly ServerKey[] = ["proftpdExplicit", "vsftpdExplicit"];
const SHORT: Record<ServerKey, string> = { proftpdExplicit: "ProFTPD", vsftpdExplicit: "vsftpd" };

interface ChildJob extends UploadJob {
    host: string;
    port: number;
    user: string;
    password: string;
    caCertPath: string;
}

/** The child's report and a sample carry the data connection's TLS too. */
type ChildResult = BaseChildResult & { tls?: string };
type Sample = BaseSample & { tls?: string };

/** The child (`--child JOBFILE`, see benchMain): one upload over FTPS through the provider's code, also recording the data TLS. */
async function child(job: ChildJob): Promise<ChildResult> {
    const { openFtps } = require("../provider/transport/ftp/ftps") as typeof import("../provider/transport/ftp/ftps");

    // Record the data connection's TLS version/cipher (and whether it resumed the control session) for the table.
    const tlsMod = require("node:tls") as typeof import("tls");
    let tlsDesc: string | undefined;
    const origConnect = tlsMod.connect;
    (tlsMod as { connect: unknown }).connect = function (...args: unknown[]) {
        const s = (origConnect as (...a: unknown[]) => import("tls").TLSSocket)(...args);
        s.once("secureConnect", () => {
            tlsDesc = `${s.getProtocol()} ${s.getCipher()?.name}${s.isSessionReused() ? " (resumed)" : ""}`;
        });
        return s;
    };

    // The read-back is timed until the caller has consumed the stream, not just opened it.
    const base = await uploadInChild(
        job,
        () =>
            openFtps(
                {
                    protocol: "ftps",
                    host: job.host,
                    port: job.port,
                    user: job.user,
                    ca: fs.readFileSync(job.caCertPath, "utf8"),
                },
                { password: job.password },
            ),
        ["read"],
    );
    return { ...base, tls: tlsDesc };
}

interface Variant {
    name: string;
    server: ServerKey;
    kind: "curl" | "verified" | "write";
    measure(target: string): Promise<Sample>;
}

/** The parent: FTP servers, source file, curl and ours against each server in alternating order, the table and the JSON summary. */
async function main(): Promise<void> {
    const { mib, runs, timeoutS, deadline, perRunTimeoutMs } = largeFileArgs("ftpsFile.js");

    const scratch = new Scratch("filedrop-bench-ftps-");
    const tmp = scratch.tmp;
    const ftpDir = path.join(tmp, "servers");

    try {
        log(`starting FTP servers in ${ftpDir}`);
        fs.mkdirSync(ftpDir);
        const ftp = await startFtpServers(ftpDir); // a half-finished start stops what it started
        scratch.stopServersAtCleanup(() => ftp.stop(), "the FTP servers");

        // The remote folder, owned by the FTP user (remote and local share this machine).
        const remoteDir = scratch.makeRemoteDir("filedrop-bench-ftps-remote-", { uid: ftp.uid, gid: ftp.gid });

        // The source: N MiB of random bytes.
        const source = path.join(tmp, "source.bin");
        writeRandomFile(source, mib);
        fs.chmodSync(tmp, 0o755);
        fs.chmodSync(source, 0o644);
        const size = mib * MIB;

        const checkSize = (name: string, target: string) => {
            const got = fs.statSync(target).size;
            if (got !== size) {
                throw new Error(`${name}: remote file has ${got} bytes, expected ${size}`);
            }
        };
        const curl = (key: ServerKey): Variant => ({
            name: `curl --ssl-reqd -T → ${SHORT[key]}`,
            server: key,
            kind: "curl",
            async measure(target) {
                const s = ftp.servers[key];
                const r = await run(
                    "curl",
                    [
                        "-sS",
                        "--ssl-reqd",
                        "--cacert",
                        ftp.caCertPath,
                        "-T",
                        source,
                        `ftp://${s.host}:${s.port}/${target}`,
                        "--user",
                        `${ftp.user}:${ftp.password}`,
                    ],
                    perRunTimeoutMs,
                );
                checkSize(this.name, target);
                return wallSample(size, r.wallMs);
            },
        });
        const ours = (key: ServerKey, mode: ChildJob["mode"]): Variant => ({
            name: `ours: ${mode === "verified" ? "verifiedUpload" : "transport write only"} → ${SHORT[key]}`,
            server: key,
            kind: mode,
            async measure(target) {
                const s = ftp.servers[key];
                const job: ChildJob = {
                    mode,
                    host: s.host,
                    port: s.port,
                    user: ftp.user,
                    password: ftp.password,
                    caCertPath: ftp.caCertPath,
                    source,
                    target,
                };
                const { c, wallMs } = await runChild<ChildResult>(
                    __filename,
                    path.join(tmp, "job.json"),
                    job,
                    perRunTimeoutMs,
                    0o600,
                );
                if (c.bytes !== size) {
                    throw new Error(`${this.name}: wrote ${c.bytes} bytes, expected ${size}`);
                }
                checkSize(this.name, target);
                return { ...childSample(c, size, wallMs), tls: c.tls };
            },
        });
        const variants: Variant[] = [
            ...SERVER_KEYS.map((k) => curl(k)),
            ...SERVER_KEYS.map((k) => ours(k, "verified")),
            ...SERVER_KEYS.map((k) => ours(k, "write")),
        ];

        const clearRemote = () => {
            for (const f of fs.readdirSync(remoteDir)) {
                fs.rmSync(path.join(remoteDir, f), { force: true }); // every upload creates the file afresh
            }
        };
        const target = path.join(remoteDir, "target.bin");
        const samples = await measureAlternating(variants, { runs, deadline, timeoutS, target, before: clearRemote });
        clearRemote();

        // Report.
        const rows = variants.map((v) => ({
            v,
            ...rowFigures(samples.get(v.name)!, v.kind !== "curl"),
            verifiedBy: samples.get(v.name)![0].verifiedBy,
            tls: samples.get(v.name)![0].tls,
            phases: medianPhases(samples.get(v.name)!),
        }));
        const row = (key: ServerKey, kind: Variant["kind"]) =>
            rows.find((r) => r.v.server === key && r.v.kind === kind)!;
        const per = Object.fromEntries(
            SERVER_KEYS.map((k) => {
                const c = row(k, "curl");
                const ver = row(k, "verified");
                const wr = row(k, "write");
                return [
                    k,
                    {
                        curl: c,
                        verified: ver,
                        write: wr,
                        ratio: ver.mbps / c.mbps,
                        ratioWrite: wr.mbps / c.mbps,
                        hash: ftp.servers[k].hashAlgorithms.includes("SHA-256"),
                    },
                ];
            }),
        ) as Record<
            ServerKey,
            {
                curl: (typeof rows)[0];
                verified: (typeof rows)[0];
                write: (typeof rows)[0];
                ratio: number;
                ratioWrite: number;
                hash: boolean;
            }
        >;
        const pro = per.proftpdExplicit;
        const vs = per.vsftpdExplicit;
        const peakRss = Math.max(...rows.filter((r) => r.rss !== undefined).map((r) => r.rss!));

        const pad = (s: string, n: number) => s.padEnd(n);
        const lines = [
            `${TABLE_HEAD}${pad("verified by", 16)} data TLS`,
            ...rows.map(
                (r) =>
                    `${tableCells(r.v.name, r)}${pad(r.v.kind === "curl" ? "(none)" : r.v.kind === "write" ? "(none)" : (r.verifiedBy ?? "?"), 16)} ${r.tls ?? ""}`,
            ),
        ];
        process.stdout.write(
            [
                `One ${mib} MiB file over explicit FTPS, loopback, ${os.cpus().length} cores, medians of ${runs} (alternating order); MB = 10^6 bytes.`,
                `MB/s: wall time incl. connect + TLS + login (curl: the whole process; ours: connect + upload in the child, node start-up excluded). transfer: after connect.`,
                ...lines,
                `ProFTPD (HASH ${pro.hash ? "offered" : "NOT offered"}): ours verified / curl ${pro.ratio.toFixed(2)} (target >= 0.9); write only / curl ${pro.ratioWrite.toFixed(2)}`,
                `vsftpd (no HASH, read-back, reported separately): ours verified / curl ${vs.ratio.toFixed(2)}; write only / curl ${vs.ratioWrite.toFixed(2)}`,
                `ours peak RSS: ${peakRss.toFixed(0)} MiB (target < 150)`,
                `median phases of the verified upload (ms): ProFTPD ${JSON.stringify(pro.verified.phases)}; vsftpd ${JSON.stringify(vs.verified.phases)}`,
                "",
            ].join("\n"),
        );
        const summary = {
            bench: "ftpsFile",
            mib,
            runs,
            mbps: {
                curlProftpd: Math.round(pro.curl.mbps),
                curlVsftpd: Math.round(vs.curl.mbps),
                oursProftpdVerified: Math.round(pro.verified.mbps),
                oursVsftpdReadBack: Math.round(vs.verified.mbps),
                oursProftpdWriteOnly: Math.round(pro.write.mbps),
                oursVsftpdWriteOnly: Math.round(vs.write.mbps),
            },
            ratioProftpdVerifiedToCurl: Number(pro.ratio.toFixed(3)),
            ratioTarget: 0.9,
            ratioMet: pro.hash && pro.ratio >= 0.9,
            ratioVsftpdReadBackToCurl: Number(vs.ratio.toFixed(3)),
            peakRssMiB: Math.round(peakRss),
            peakRssTargetMiB: 150,
            peakRssMet: peakRss < 150,
            verifiedBy: { proftpd: pro.verified.verifiedBy, vsftpd: vs.verified.verifiedBy },
            dataTls: pro.verified.tls,
            phasesMs: { proftpd: pro.verified.phases, vsftpd: vs.verified.phases },
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
        await scratch.dispose();
    }
}

benchMain(main, child);
