/**
 * The processes a `pulumi` command leaves behind: its dynamic-provider process (Pulumi's
 * `@pulumi/pulumi/cmd/dynamic-provider`, run by the `pulumi-resource-pulumi-nodejs` shim in a process group of its
 * own) and the rest of its tree, watched while the command runs so that they can be found after the CLI is gone
 * (they are then children of init). Tests kill whatever they recorded and is still alive, never anything else.
 */
import * as fs from "node:fs";
import { processTree } from "./processTree";

/** The command line of `pid`, or "" once it is gone. */
export function commandLine(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
        return "";
    }
}

/** Whether `pid` still runs (a zombie, which has ended and waits to be reaped, does not). */
export function alive(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
    } catch {
        return false;
    }
}

/** Every process seen below a running command, with its command line, collected until `stop()`. */
export class TreeWatch {
    /** pid -> command line, as read while the process ran. */
    private readonly seen = new Map<number, string>();
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly root: number) {
        this.look();
        this.timer = setInterval(() => this.look(), 50);
    }

    /**
     * Records the command's tree as it is now. A command line is read again on every look: right after a fork it is
     * still the parent's (the shim's `sh` before it runs `node`).
     */
    look(): void {
        for (const p of processTree(this.root)) {
            const c = p === this.root ? "" : commandLine(p);
            if (c !== "") {
                this.seen.set(p, c);
            }
        }
    }

    stop(): void {
        clearInterval(this.timer);
    }

    /** The dynamic-provider processes seen (alive or not): node running Pulumi's dynamic-provider, not its shim. */
    providers(): number[] {
        return [...this.seen].filter(([, c]) => /\bnode\b.*dynamic-provider[\\/]index\.js/.test(c)).map(([p]) => p);
    }

    /** Every process seen, alive or not. */
    all(): number[] {
        return [...this.seen.keys()];
    }

    /** The processes seen that still run. */
    living(): number[] {
        return [...this.seen.keys()].filter(alive);
    }

    /** "pid command" lines, for messages. */
    describe(pids: number[]): string {
        return pids.map((p) => `${p} ${this.seen.get(p) ?? commandLine(p)}`.slice(0, 160)).join("\n");
    }

    /** SIGKILLs every process seen that still runs (only ever those the test started); returns them. */
    killLeftovers(): number[] {
        const left = this.living();
        for (const p of left) {
            try {
                process.kill(p, "SIGKILL");
            } catch {
                // Gone meanwhile.
            }
        }
        return left;
    }
}

/** Waits until none of `pids` runs, at most `ms`; returns those still running then. */
export async function waitGone(pids: number[], ms: number): Promise<number[]> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && pids.some(alive)) {
        await new Promise((r) => setTimeout(r, 100));
    }
    return pids.filter(alive);
}
