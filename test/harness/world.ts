/**
 * The shared integration-test world, set up lazily once per test run (not per test), in two parts so that a test
 * file pays only for what it uses:
 * - getServers(): a scratch folder, one OpenSSH sshd on 127.0.0.1 (servers/sshd.ts) and a remote root folder owned
 *   by the server's login user, where tests write. Engine-free tests (transport, upload, contract) stop here.
 * - getWorld(): the servers plus the engine folder from scripts/engine.sh (FILEDROP_ENGINE_BIN, set by
 *   scripts/test.sh, or built here) and a programs folder where the *packed* package (npm pack) and @pulumi/pulumi
 *   are installed, as a user would.
 * FTP servers are started on first use by ftpServers() (see ftpServers.ts).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type EngineLine, lineEnv, resolveLine } from "./engine";
import { installPackedPackage } from "./packedPackage";
import { REPO } from "./servers/paths";
import { type Sshd, type SshdInfo, startSshd } from "./servers/sshd";

export type { SshdInfo };
export { REPO };

/** The servers every integration test may use, without the engine. */
export interface Servers {
    /** Scratch folder of this run. */
    dir: string;
    sshd: Sshd;
    /** Remote root for tests (same machine, so tests can inspect it directly). */
    remoteRoot: string;
    uid: number;
    gid: number;
}

/** The servers plus the engine and the packed package, for tests that run Pulumi programs. */
export interface World extends Servers {
    engineBin: string;
    /** The Node and Pulumi versions programs run with (engine.ts). */
    line: EngineLine;
    /** Folder with node_modules holding the packed pulumi-filedrop; programs live in subfolders. */
    programsDir: string;
}

let scratch: string | undefined;
let servers: Promise<Servers> | undefined;
let world: Promise<World> | undefined;

function log(msg: string): void {
    process.stderr.write(`[harness] ${msg}\n`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
    return execFileSync(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
}

/** The scratch folder of this run, made on first call. */
export function scratchDir(): string {
    if (!scratch) {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-it-"));
        fs.chmodSync(scratch, 0o755);
    }
    return scratch;
}

async function startServers(): Promise<Servers> {
    const dir = scratchDir();
    const sshd = await startSshd(path.join(dir, "servers", "sshd"));
    onStopWorld(() => sshd.stop());
    const remoteRoot = path.join(dir, "remote");
    fs.mkdirSync(remoteRoot);
    const uid = Number(run("id", ["-u", sshd.user]).trim());
    const gid = Number(run("id", ["-g", sshd.user]).trim());
    fs.chownSync(remoteRoot, uid, gid);
    return { dir, sshd, remoteRoot, uid, gid };
}

/** The servers, started on first call. */
export function getServers(): Promise<Servers> {
    servers ??= startServers();
    return servers;
}

async function startWorld(): Promise<World> {
    const s = await getServers();
    const dir = s.dir;
    const line = resolveLine();
    const programsDir = path.join(dir, "programs");
    fs.mkdirSync(programsDir);
    installPackedPackage(programsDir, line.pulumiVersion, lineEnv(line));

    return { ...s, engineBin: line.engineBin, line, programsDir };
}

/** The world (servers, engine, packed package), created on first call. */
export function getWorld(): Promise<World> {
    world ??= startWorld();
    return world;
}

const stopHooks: (() => void | Promise<void>)[] = [];

/** Registers something to stop with the world (servers started on first use). */
export function onStopWorld(hook: () => void | Promise<void>): void {
    stopHooks.push(hook);
}

/** Stops what getServers()/getWorld() started (called once from the root hooks). */
export async function stopWorld(): Promise<void> {
    for (const hook of stopHooks.splice(0).reverse()) {
        try {
            await hook();
        } catch (e) {
            log(`stop hook: ${(e as Error).message}`);
        }
    }
    removeScratchNow();
    servers = undefined;
    world = undefined;
}

/**
 * Removes the scratch folder (servers, state, programs, remote root), synchronously, unless FILEDROP_KEEP_TEST_DIR
 * asks to keep it for debugging. Also run when a signal stops the run (rootHooks.ts).
 */
export function removeScratchNow(): void {
    if (scratch !== undefined) {
        if (process.env.FILEDROP_KEEP_TEST_DIR === undefined) {
            try {
                fs.rmSync(scratch, { recursive: true, force: true });
            } catch (e) {
                log(`could not remove ${scratch}: ${(e as Error).message}`);
            }
        } else {
            log(`kept ${scratch} (FILEDROP_KEEP_TEST_DIR is set)`);
        }
    }
    scratch = undefined;
}

/** SSH connection args for the test sshd, by private key, verified against its known_hosts. */
export function sshConnection(w: Servers, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        host: w.sshd.host,
        port: w.sshd.port,
        user: w.sshd.user,
        privateKey: fs.readFileSync(w.sshd.privateKeyPath, "utf8"),
        knownHosts: w.sshd.knownHostsPath,
        ...extra,
    };
}

/** A fresh folder under the remote root, owned by the login user. */
export function remoteDir(w: Servers, name: string): string {
    const d = path.join(w.remoteRoot, `${name}-${Math.random().toString(36).slice(2, 8)}`);
    fs.mkdirSync(d);
    fs.chownSync(d, w.uid, w.gid);
    return d;
}

/** Every path below `dir` with its content hash or "dir", for "the server is as it was" assertions. */
export function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                out[path.relative(dir, p)] = "dir";
                walk(p);
            } else {
                out[path.relative(dir, p)] = require("node:crypto")
                    .createHash("sha256")
                    .update(fs.readFileSync(p))
                    .digest("hex");
            }
        }
    };
    if (fs.existsSync(dir)) {
        walk(dir);
    }
    return out;
}

/** Number of SSH connections an sshd has accepted so far (from its VERBOSE log). */
export function sshConnectionCount(w: Servers | { sshd: Pick<SshdInfo, "logFile"> }): number {
    const text = fs.existsSync(w.sshd.logFile) ? fs.readFileSync(w.sshd.logFile, "utf8") : "";
    return (text.match(/Connection from 127\.0\.0\.1 port/g) ?? []).length;
}
