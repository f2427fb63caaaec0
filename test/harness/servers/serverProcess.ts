/**
 * A server the harness runs in the foreground as its own child: it owns the pid, so stopping needs no pid file and
 * cannot hit a stranger's process. Output goes to a log file. Stop ends the listener and every session it forked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
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
        const fd = fs.openSync(logFile, "a", 0o600);
        this.child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: true });
        fs.closeSync(fd);
        this.exited = new Promise((resolve) =>
            this.child.once("exit", (code, signal) => {
                this.exitStatus = signal ?? `exit ${code}`;
                live.delete(this);
                resolve();
            }),
        );
        this.child.once("error", (e) => {
            this.exitStatus = e.message;
        });
        live.add(this);
    }

    /** Starts `cmd args` in the foreground (the command must not daemonise). */
    static start(name: string, cmd: string, args: readonly string[], logFile: string): ServerProcess {
        return new ServerProcess(name, cmd, args, logFile);
    }

    /** The listener's pid. */
    get pid(): number {
        return this.child.pid!;
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
        const pids = this.exitStatus === undefined ? [this.pid, ...descendants(this.pid)] : [];
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
        signal([this.pid, ...descendants(this.pid)], "SIGKILL");
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
