/**
 * The shared integration-test world, set up once per test run (not per test):
 * - the engine folder from scripts/engine.sh (FILEDROP_ENGINE_BIN, set by scripts/test.sh, or built here),
 * - one OpenSSH sshd on 127.0.0.1 (scripts/servers/sshd.sh),
 * - a programs folder where the *packed* package (npm pack) and @pulumi/pulumi are installed, as a user would,
 * - a remote root folder owned by the server's login user, where tests write.
 * FTP servers are started on first use by ftpServers() (see ftpServers.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineLine, lineEnv, resolveLine } from "./engine";
import { installPackedPackage } from "./packedPackage";

export const REPO = path.resolve(__dirname, "../../..");

/** What scripts/servers/sshd.sh writes to sshd.json. */
export interface SshdInfo {
    host: string;
    port: number;
    user: string;
    password: string;
    privateKeyPath: string;
    encryptedKeyPath: string;
    encryptedKeyPassphrase: string;
    hostPublicKey: string;
    hostKeyFingerprint: string;
    knownHostsPath: string;
    pid: number;
    logFile: string;
}

export interface World {
    /** Scratch folder of this run. */
    dir: string;
    engineBin: string;
    /** The Node and Pulumi versions programs run with (engine.ts). */
    line: EngineLine;
    sshd: SshdInfo;
    /** Folder with node_modules holding the packed pulumi-filedrop; programs live in subfolders. */
    programsDir: string;
    /** Remote root for tests (same machine, so tests can inspect it directly). */
    remoteRoot: string;
    uid: number;
    gid: number;
}

let world: World | undefined;

function log(msg: string): void {
    process.stderr.write(`[harness] ${msg}\n`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
    return execFileSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

/** The world, created on first call. */
export function getWorld(): World {
    if (world) {
        return world;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-it-"));
    fs.chmodSync(dir, 0o755);
    const line = resolveLine();
    const engineBin = line.engineBin;
    const serversDir = path.join(dir, "servers");
    run("bash", [path.join(REPO, "scripts/servers/sshd.sh"), "start", serversDir]);
    const sshd = JSON.parse(fs.readFileSync(path.join(serversDir, "sshd.json"), "utf8")) as SshdInfo;

    const programsDir = path.join(dir, "programs");
    fs.mkdirSync(programsDir);
    installPackedPackage(programsDir, line.pulumiVersion, lineEnv(line));

    const remoteRoot = path.join(dir, "remote");
    fs.mkdirSync(remoteRoot);
    const ids = run("id", ["-u", sshd.user]).trim();
    const gid = Number(run("id", ["-g", sshd.user]).trim());
    fs.chownSync(remoteRoot, Number(ids), gid);
    world = { dir, engineBin, line, sshd, programsDir, remoteRoot, uid: Number(ids), gid };
    return world;
}

/** Stops what getWorld() started (called once from the root hooks). */
export function stopWorld(): void {
    if (!world) {
        return;
    }
    try {
        run("bash", [path.join(REPO, "scripts/servers/sshd.sh"), "stop", path.join(world.dir, "servers")]);
    } catch (e) {
        log(`stopping sshd: ${(e as Error).message}`);
    }
    for (const hook of stopHooks) {
        try {
            hook();
        } catch (e) {
            log(`stop hook: ${(e as Error).message}`);
        }
    }
    // The scratch folder (servers, state, programs, remote root) goes too, unless asked to keep it for debugging.
    if (process.env.FILEDROP_KEEP_TEST_DIR === undefined) {
        try {
            fs.rmSync(world.dir, { recursive: true, force: true });
        } catch (e) {
            log(`could not remove ${world.dir}: ${(e as Error).message}`);
        }
    } else {
        log(`kept ${world.dir} (FILEDROP_KEEP_TEST_DIR is set)`);
    }
    world = undefined;
}

const stopHooks: (() => void)[] = [];

/** Registers something to stop with the world (e.g. FTP servers started on first use). */
export function onStopWorld(hook: () => void): void {
    stopHooks.push(hook);
}

/** SSH connection args for the test sshd, by private key, verified against its known_hosts. */
export function sshConnection(w: World, extra: Record<string, unknown> = {}): Record<string, unknown> {
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
export function remoteDir(w: World, name: string): string {
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
                out[path.relative(dir, p)] = require("crypto").createHash("sha256").update(fs.readFileSync(p)).digest("hex");
            }
        }
    };
    if (fs.existsSync(dir)) {
        walk(dir);
    }
    return out;
}

/** Number of SSH connections sshd has accepted so far (from its VERBOSE log). */
export function sshConnectionCount(w: World): number {
    const text = fs.existsSync(w.sshd.logFile) ? fs.readFileSync(w.sshd.logFile, "utf8") : "";
    return (text.match(/Connection from 127\.0\.0\.1 port/g) ?? []).length;
}
