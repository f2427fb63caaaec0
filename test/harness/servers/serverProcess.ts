/**
 * A server the harness runs in the foreground as its own child: it owns the pid, so stopping needs no pid file and
 * cannot hit a stranger's process. Output goes to a log file. Stop ends the listener and every session it forked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { descendants, isRunning } from "./processes";

const live = new Set<ServerProcess>();

// If the test process ends without stopping its servers (an uncaught error, Ctrl-C), they end with it.
process.once("exit", () => {
    for (const s of live) {
        s.killNow();
    }
});

export class ServerProcess {
    private readonly child: ChildProcess;
    private readonly exited: Promise<void>;
    private exitStatus: string | undefined;
    /** Sessions seen at the last stop: the self-test checks they are gone too. */
    public lastStopped: number[] = [];

    private constructor(
        /** For messages, e.g. "sshd". */
        public readonly name: string,
        cmd: string,
        args: readonly string[],
        /** stdout and stderr of the server. */
        public readonly logFile: string,
    ) {
        requireExecutable(name, cmd);
        const fd = fs.openSync(logFile, "a", 0o600);
        this.child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: true });
        fs.closeSync(fd);
        // "close", not "exit": a child that could not be spawned at all emits "error" and "close", never "exit",
        // and stop() must not wait for it forever.
        this.exited = new Promise((resolve) =>
            this.child.once("close", (code, signal) => {
                this.exitStatus ??= signal ?? `exit ${code}`;
                live.delete(this);
                resolve();
            }),
        );
        this.child.once("error", (e) => {
            this.exitStatus = `${cmd} could not be started: ${e.message}`;
        });
        live.add(this);
    }

    /**
     * Starts `cmd args` in the foreground (the command must not daemonise). Throws at once, naming `cmd`, when it is
     * not an executable file (an absolute path, or a name found on PATH).
     */
    static start(name: string, cmd: string, args: readonly string[], logFile: string): ServerProcess {
        return new ServerProcess(name, cmd, args, logFile);
    }

    /** The listener's pid (0 when it could not be spawned). */
    get pid(): number {
        return this.child.pid ?? 0;
    }

    /** Undefined while running; how it ended otherwise. */
    get ended(): string | undefined {
        return this.exitStatus;
    }

    /** The last lines of the server's output, for error messages. */
    logTail(lines = 15): string {
        try {
            return fs.readFileSync(this.logFile, "utf8").trim().split("\n").slice(-lines).join("\n");
        } catch {
            return "";
        }
    }

    /** Throws with the log's tail if the server has ended. */
    assertRunning(): void {
        if (this.exitStatus !== undefined) {
            throw new Error(
                `${this.name} ended (${this.exitStatus}) while starting; its log ${this.logFile} ends:\n${this.logTail()}`,
            );
        }
    }

    /** SIGTERM to the listener and its sessions, SIGKILL after `graceMs`; resolves when all are gone. */
    async stop(graceMs = 5000): Promise<void> {
        const pids = this.exitStatus === undefined && this.pid > 0 ? [this.pid, ...descendants(this.pid)] : [];
        this.lastStopped = pids;
        signal(pids, "SIGTERM");
        const deadline = Date.now() + graceMs;
        while (pids.some(isRunning) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 50));
        }
        signal(pids.filter(isRunning), "SIGKILL");
        await this.exited;
        while (pids.some(isRunning)) {
            await new Promise((r) => setTimeout(r, 20));
        }
    }

    /** Synchronous last resort at process exit. */
    killNow(): void {
        if (this.pid > 0) {
            signal([this.pid, ...descendants(this.pid)], "SIGKILL");
        }
    }
}

/** Throws, naming the server and the command, unless `cmd` is an executable file (a path, or a name on PATH). */
function requireExecutable(name: string, cmd: string): void {
    const candidates = cmd.includes("/")
        ? [cmd]
        : (process.env.PATH ?? "").split(":").map((d) => path.join(d || ".", cmd));
    for (const c of candidates) {
        try {
            fs.accessSync(c, fs.constants.X_OK);
            if (fs.statSync(c).isFile()) {
                return;
            }
        } catch {
            // not this one
        }
    }
    throw new Error(
        `${name} cannot start: ${cmd} ${cmd.includes("/") ? "does not exist or is not executable" : "is not on PATH"}.`,
    );
}

/**
 * SIGKILLs every server still running and every other process below this one (sessions, CLIs, helpers), at once
 * and synchronously: what a signal handler can still do before the process ends.
 */
export function killEverythingBelow(): void {
    for (const s of live) {
        s.killNow();
    }
    signal(descendants(process.pid), "SIGKILL");
}

/**
 * On SIGINT (Ctrl-C), SIGTERM (CI's timeout, `kill`) or SIGHUP: end every server and every other process below this
 * one, run `last` (synchronous), then end this process by the same signal, as it would have ended without us. Without
 * this, a signal ends the process without its "exit" event and the servers (detached, in process groups of their
 * own) keep running.
 */
export function endServersOnSignals(last: () => void = () => undefined): void {
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.once(sig, () => {
            killEverythingBelow();
            try {
                last();
            } finally {
                process.kill(process.pid, sig);
            }
        });
    }
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
    for (const p of pids) {
        try {
            process.kill(p, sig);
        } catch {
            // already gone
        }
    }
}
