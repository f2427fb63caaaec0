/**
 * Where a 1000-file RemoteTree's time goes inside our own code (issue 13), in-process against the test sshd:
 *
 *   npx tsc -p tsconfig.json && node dist/bench/whole/treePhases.js [--runs 3] [--files 1000] [--lanes 3]
 *
 * Prints, as medians over `--runs` fresh trees of 1000 files of 4 KiB (10 folders of 100):
 *   - the program's manifest: buildManifest over the local folder;
 *   - what travels: the bytes of the manifest and of a create's outputs as the protobuf Struct the dynamic-provider
 *     host sends, and the time to encode and decode one (each `up` moves about a dozen of them between the
 *     program, the engine and the provider host);
 *   - the handler's create (first up) and update (after 3 edits, 2 adds, 1 delete), split into the setup step
 *     (destination, sweep, removals, adoption) and the upload (stage, verify, commit per chunk), with the transport
 *     calls each makes (each at least one round trip), the SFTP requests ssh2 sends (per file), the wall time during
 *     which any file is staged / committed, and the CPU of this process and of the test sshd's processes.
 * `--files` sets the tree's size (100 per folder); `--lanes 1` writes on one SFTP session, as before i22-firstup.
 * Not a test and not part of `npm test`; the whole-command figures are main.ts's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { getServers, remoteDir, sshConnection, stopWorld } from "../../test/harness/world";
import { argOf, log, median } from "../common";
import { editTree, makeTree } from "./benchTree";
import { sampleCpu } from "./cpuTimes";

const runs = Number(argOf("runs", "3"));
const files = Number(argOf("files", "1000"));

// Ablation (issue 22, first upload): `--lanes 1` writes on one SFTP session, as before branch i22-firstup. The
// default is read through the module object when a connection opens, so setting it here takes effect.
if (argOf("lanes", "") !== "") {
    require("../../provider/defaults").SFTP_WRITE_LANES = Number(argOf("lanes", ""));
}

type Fn = (...a: unknown[]) => unknown;

/** Wraps `mod[name]` (a module's export, called through the module object by the compiled code) to time it. */
function timed(mod: Record<string, unknown>, name: string, into: Record<string, number>, key = name): void {
    const f = mod[name] as Fn;
    mod[name] = async function (this: unknown, ...args: unknown[]) {
        const t0 = performance.now();
        try {
            return await f.apply(this, args);
        } finally {
            into[key] = (into[key] ?? 0) + performance.now() - t0;
        }
    };
}

/**
 * Wraps `mod[name]` to add the wall time during which at least one call of it runs (calls overlap: many files are
 * staged at once), so that phases which run concurrently are each given their own elapsed time.
 */
function timedWall(mod: Record<string, unknown>, name: string, into: Record<string, number>, key = name): void {
    const f = mod[name] as Fn;
    let active = 0;
    let since = 0;
    mod[name] = async function (this: unknown, ...args: unknown[]) {
        if (active++ === 0) {
            since = performance.now();
        }
        try {
            return await f.apply(this, args);
        } finally {
            if (--active === 0) {
                into[key] = (into[key] ?? 0) + performance.now() - since;
            }
        }
    };
}

/** The SFTP requests ssh2 sends (its methods that each send one packet; chmod and chown go through setstat). */
const SFTP_REQUESTS = [
    "open",
    "close",
    "read",
    "write",
    "unlink",
    "rename",
    "mkdir",
    "rmdir",
    "readdir",
    "fstat",
    "stat",
    "lstat",
    "opendir",
    "setstat",
    "fsetstat",
    "readlink",
    "realpath",
    "ext_openssh_rename",
    "ext_openssh_fsync",
];

/** Counts the SFTP requests sent, by kind. */
function countRequests(counts: Record<string, number>): void {
    const { SFTP } = require("ssh2/lib/protocol/SFTP");
    const proto = SFTP.prototype as Record<string, unknown>;
    for (const name of SFTP_REQUESTS) {
        const f = proto[name] as Fn;
        proto[name] = function (this: unknown, ...args: unknown[]) {
            counts[name] = (counts[name] ?? 0) + 1;
            return f.apply(this, args);
        };
    }
}

/** Counts the calls made on every SftpTransport method. */
function countCalls(counts: Record<string, number>): void {
    const { SftpTransport } = require("../../provider/transport/ssh/sftpTransport");
    const proto = SftpTransport.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
        const f = Object.getOwnPropertyDescriptor(proto, name)?.value;
        if (name === "constructor" || typeof f !== "function") {
            continue;
        }
        proto[name] = function (this: unknown, ...args: unknown[]) {
            counts[name] = (counts[name] ?? 0) + 1;
            return (f as Fn).apply(this, args);
        };
    }
}

/** Bytes of `value` as the Struct the dynamic-provider host sends, and ms to encode and to decode it. */
function wire(value: Record<string, unknown>): { bytes: number; encodeMs: number; decodeMs: number } {
    const structproto = require("google-protobuf/google/protobuf/struct_pb.js");
    const enc: number[] = [];
    const dec: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
        let t0 = performance.now();
        const buf: Uint8Array = structproto.Struct.fromJavaScript(value).serializeBinary();
        enc.push(performance.now() - t0);
        t0 = performance.now();
        structproto.Struct.deserializeBinary(buf).toJavaScript();
        dec.push(performance.now() - t0);
        bytes = buf.length;
    }
    return { bytes, encodeMs: median(enc), decodeMs: median(dec) };
}

async function main(): Promise<void> {
    const w = await getServers();
    const tree = require("../../provider/handlers/remoteTree");
    const { buildManifest } = require("../../provider/plan/treeSource");
    const { closeAll } = require("../../provider/transport/pool");
    const phases: Record<string, number> = {};
    for (const [mod, names] of [
        [require("../../provider/ops/treeOwnership"), ["adoptExisting", "releaseFiles"]],
        [require("../../provider/ops/treeRemove"), ["sweepFolders", "removeFiles"]],
        [require("../../provider/ops/treeUpload"), ["uploadFiles"]],
        [require("../../provider/ops/verify"), ["verifyStaged"]],
    ] as const) {
        for (const n of names) {
            timed(mod, n, phases);
        }
    }
    for (const [mod, name] of [
        [require("../../provider/ops/stage"), "stageUpload"],
        [require("../../provider/ops/commit"), "commitStaged"],
    ] as const) {
        timedWall(mod, name, phases, `${name} (wall)`);
    }
    const counts: Record<string, number> = {};
    countCalls(counts);
    const requests: Record<string, number> = {};
    countRequests(requests);
    const conn = sshConnection(w) as Record<string, string>;
    const rows: Record<string, number[]> = {};
    const add = (k: string, v: number) => {
        rows[k] = [...(rows[k] ?? []), v];
    };
    const callRows: Record<string, string> = {};
    for (let run = 0; run < runs; run++) {
        const src = fs.mkdtempSync(path.join(w.dir, "phases-src-"));
        makeTree(src, files);
        let t0 = performance.now();
        const built = await buildManifest(src, {});
        add(`program: buildManifest (${files} files)`, performance.now() - t0);
        const inputs = {
            connection: { host: conn.host, port: conn.port, user: conn.user, knownHosts: conn.knownHosts },
            credentials: { privateKey: conn.privateKey },
            sourceDir: src,
            destination: path.join(remoteDir(w, `phases-${run}`), "site"),
            manifest: built.manifest,
            prune: true,
            createParents: true,
        };
        for (const step of ["create", "update"] as const) {
            for (const k of Object.keys(phases)) {
                delete phases[k];
            }
            for (const k of Object.keys(counts)) {
                delete counts[k];
            }
            for (const k of Object.keys(requests)) {
                delete requests[k];
            }
            let outs: Record<string, unknown>;
            let whole = 0;
            if (step === "create") {
                const cpu0 = process.cpuUsage();
                // Seldom: each sample reads /proc on this thread, which would slow the upload it measures.
                const server = sampleCpu(w.sshd.pid, 1000);
                t0 = performance.now();
                outs = (await tree.create(inputs)).outs;
                whole = performance.now() - t0;
                const own = process.cpuUsage(cpu0);
                add("create: CPU of this node process", (own.user + own.system) / 1000);
                for (const [role, ms] of Object.entries(server.stop())) {
                    add(`create: CPU of server ${role.split("\0")[0].slice(0, 30)}`, ms);
                }
                add("create: whole (new connection)", whole);
                if (run === 0) {
                    for (const [k, v] of Object.entries({ manifest: { manifest: inputs.manifest }, outputs: outs })) {
                        const wi = wire(v as Record<string, unknown>);
                        log(
                            `${k} as a Struct: ${wi.bytes} bytes, encode ${wi.encodeMs.toFixed(1)} ms, decode ${wi.decodeMs.toFixed(1)} ms`,
                        );
                    }
                }
                (inputs as Record<string, unknown>).outs = outs;
            } else {
                editTree(src);
                const news = { ...inputs, manifest: (await buildManifest(src, {})).manifest };
                delete (news as Record<string, unknown>).outs;
                const olds = (inputs as Record<string, unknown>).outs as Record<string, unknown>;
                t0 = performance.now();
                tree.diff("id", olds, news);
                add("update: diff", performance.now() - t0);
                t0 = performance.now();
                await tree.update("id", olds, news);
                whole = performance.now() - t0;
                add("update: whole (warm connection)", whole);
            }
            const up = phases.uploadFiles ?? 0;
            add(`${step}: setup (dest, sweep, release, adopt, prune)`, whole - up);
            for (const [k, v] of Object.entries(phases)) {
                add(`${step}:   ${k}`, v);
            }
            if (run === 0) {
                callRows[step] = Object.entries(counts)
                    .sort()
                    .map(([k, v]) => `${k} ${v}`)
                    .join(", ");
                const sent = Object.values(requests).reduce((a, b) => a + b, 0);
                callRows[`${step}, SFTP requests (${(sent / files).toFixed(2)} per file)`] = Object.entries(requests)
                    .sort()
                    .map(([k, v]) => `${k} ${v}`)
                    .join(", ");
            }
        }
        await closeAll();
    }
    console.log(`\nRemoteTree phases in-process, ${files} files of 4 KiB, medians of ${runs} (ms)\n`);
    for (const [k, xs] of Object.entries(rows)) {
        console.log(
            `${k.padEnd(52)} ${median(xs).toFixed(1).padStart(8)}   (${xs.map((x) => x.toFixed(0)).join(" / ")})`,
        );
    }
    console.log("\ntransport calls (first run):");
    for (const [k, v] of Object.entries(callRows)) {
        console.log(`  ${k}: ${v}`);
    }
}

main()
    .catch((e) => {
        console.error(e);
        process.exitCode = 1;
    })
    .finally(() => stopWorld());
