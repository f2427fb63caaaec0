/**
 * RemoteTree first upload of 1000 files of 4 KiB (SPEC §7, issue 4), side by side in the same run:
 *   - the provider's transfer alone: the RemoteTree handler's `create`, called in-process (pool, verified atomic
 *     uploads, remote SHA-256), a fresh remote folder and a fresh connection each run;
 *   - OpenSSH `sftp -b` with `put -r`, same server, same key;
 *   - the whole `pulumi up` of a one-tree program (engine, packed package, manifest hashing included).
 * 3 runs each, medians, and the ratio provider / OpenSSH (target <= 1.0). Not a test.
 *
 *   node dist/bench/tree1000.js            (FILEDROP_ENGINE_BIN as for the tests, else engine.sh is run)
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { create } from "../provider/handlers/remoteTree";
import { buildManifest } from "../provider/plan/treeSource";
import { closeAll, poolStats } from "../provider/transport/pool";
import { TestStack } from "../test/harness/stack";
import { dirsAndTreesProgram } from "../test/harness/treePrograms";
import { getWorld, remoteDir, sshConnection, stopWorld } from "../test/harness/world";
import { log, median } from "./common";

const RUNS = 3;

async function main(): Promise<void> {
    const w = await getWorld();
    const src = fs.mkdtempSync(path.join(w.dir, "bench-tree-"));
    for (let d = 0; d < 10; d++) {
        fs.mkdirSync(path.join(src, `d${d}`));
        for (let f = 0; f < 100; f++) {
            fs.writeFileSync(path.join(src, `d${d}`, `f${f}.bin`), randomBytes(4096));
        }
    }
    const conn = sshConnection(w) as Record<string, any>;
    const { manifest } = await buildManifest(src, {});
    const provider: number[] = [];
    const openssh: number[] = [];
    const up: number[] = [];
    for (let run = 0; run < RUNS; run++) {
        const dest = path.join(remoteDir(w, "bench-provider"), "site");
        const opened = poolStats.connectionsOpened;
        let t0 = process.hrtime.bigint();
        await create({
            connection: { host: conn.host, port: conn.port, user: conn.user, knownHosts: conn.knownHosts },
            credentials: { privateKey: conn.privateKey },
            sourceDir: src,
            destination: dest,
            manifest,
            prune: true,
            createParents: true,
        });
        provider.push(Number(process.hrtime.bigint() - t0) / 1e6);
        await closeAll();
        if (run === 0) {
            log(`provider run used ${poolStats.connectionsOpened - opened} connection(s)`);
        }

        const sdest = path.join(remoteDir(w, "bench-openssh"), "site");
        const batch = path.join(w.dir, "sftp-batch");
        fs.writeFileSync(batch, `put -r ${src} ${sdest}\n`);
        t0 = process.hrtime.bigint();
        execFileSync(
            "sftp",
            [
                "-q",
                "-b",
                batch,
                "-i",
                w.sshd.privateKeyPath,
                "-o",
                `UserKnownHostsFile=${w.sshd.knownHostsPath}`,
                "-o",
                "BatchMode=yes",
                "-P",
                String(w.sshd.port),
                `${w.sshd.user}@${w.sshd.host}`,
            ],
            { stdio: ["ignore", "ignore", "inherit"] },
        );
        openssh.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const count = execFileSync("find", [sdest, "-type", "f"], { encoding: "utf8" }).trim().split("\n").length;
        if (count !== 1000) {
            throw new Error(`sftp put -r wrote ${count} files`);
        }

        const stack = new TestStack(w, `bench-tree-${run}`, dirsAndTreesProgram);
        stack.setSettings({
            connection: conn,
            trees: [{ name: "site", source: src, destination: path.join(remoteDir(w, "bench-up"), "site") }],
        });
        t0 = process.hrtime.bigint();
        await stack.ok("up");
        up.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const p = median(provider);
    const o = median(openssh);
    const row = (name: string, xs: number[]) =>
        `| ${name.padEnd(44)} | ${xs.map((x) => x.toFixed(0).padStart(6)).join(" ")} | ${median(xs).toFixed(0).padStart(6)} ms |`;
    console.log(`\n1000 files of 4 KiB, first upload, ${RUNS} runs (ms)\n`);
    console.log(`| ${"what".padEnd(44)} | ${"runs".padEnd(20)} | median    |`);
    console.log(row("provider transfer (RemoteTree create)", provider));
    console.log(row("OpenSSH sftp -b put -r", openssh));
    console.log(row("whole pulumi up (one RemoteTree)", up));
    console.log(`\nratio provider / OpenSSH: ${(p / o).toFixed(2)}x (target <= 1.0)`);
}

main()
    .catch((e) => {
        console.error(e);
        process.exitCode = 1;
    })
    .finally(() => stopWorld());
