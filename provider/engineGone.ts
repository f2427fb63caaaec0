/**
 * Noticing that the Pulumi engine is gone, so that the provider process stops its transfers and exits instead of
 * uploading on for nobody and then living on forever (issue 19 item 8).
 *
 * Our code runs in Pulumi's dynamic-provider process (`@pulumi/pulumi/cmd/dynamic-provider`), which the CLI starts
 * through the `pulumi-resource-pulumi-nodejs` shim (`sh`, which runs `node` without exec) in a process group of its
 * own, so a signal to the CLI's group never reaches it. The process serves gRPC until the CLI stops it (SIGINT to its
 * group on a normal end); when the CLI is killed, or exits without closing its plugins, nothing stops it. What the
 * CLI does give every plugin (sdk/go/common/resource/plugin/plugin.go, execPlugin) is a stdin pipe whose other end
 * only the CLI holds and never writes to: it reads end-of-file exactly when the CLI process is gone. The parent
 * process is no signal (it is the shim, which outlives the CLI), so:
 *
 * 1. stdin (a pipe) reaching its end makes us ask, every SUSPECT_POLL_MS, whether the engine is still there: a TCP
 *    connection to the engine address the CLI passed as the last argument (its gRPC server lives in the CLI
 *    process). Asked more than once: a killed process's files are closed one after another, so its listening socket
 *    may still take a connection for a moment after the pipe ended;
 * 2. refused (or no answer within PROBE_TIMEOUT_MS): the engine is gone. `onGone` aborts the transfers (the pool
 *    closes every connection and refuses new ones), then the process exits;
 * 3. stdin is no pipe (a host that gives none): the address is asked every POLL_MS instead. A stdin that ended while
 *    the engine keeps answering (a host that closed it on purpose) costs one connection every SUSPECT_POLL_MS.
 *
 * A resumable temporary stays on the server as the cut left it; the next `pulumi up` continues it (ops/stage.ts).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import type { Readable } from "node:stream";

/** How long a connection to the engine may take before it counts as gone. */
export const PROBE_TIMEOUT_MS = 2000;
/** How often the engine is asked for when stdin cannot tell. */
export const POLL_MS = 5000;
/** How often the engine is asked for once stdin has ended. */
export const SUSPECT_POLL_MS = 500;
/** How long aborting the transfers may take before the process exits anyway. */
export const ABORT_GRACE_MS = 1000;

let servingPlugin = false;

/** Called by the plugin face's entry point (provider/plugin/main.ts): this process is the `filedrop` plugin. */
export function markPluginProcess(): void {
    servingPlugin = true;
}

/**
 * True inside a provider process: Pulumi's dynamic-provider process, or the `filedrop` plugin (not in a program, a
 * unit test or a benchmark).
 */
export function inProviderProcess(argv: readonly string[] = process.argv): boolean {
    return servingPlugin || /dynamic-provider[\\/]index\.js$/.test(argv[1] ?? "");
}

/** The engine's gRPC address (`127.0.0.1:port`): the plugin's last argument that looks like one. */
export function engineAddressOf(argv: readonly string[] = process.argv): { host: string; port: number } | undefined {
    for (const a of [...argv.slice(2)].reverse()) {
        const m = /^(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$/.exec(a);
        if (m !== null) {
            return { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
        }
    }
    return undefined;
}

/** Whether something accepts a TCP connection at `addr` within `timeoutMs`. */
export function answers(addr: { host: string; port: number }, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect(addr);
        const done = (up: boolean) => {
            s.destroy();
            resolve(up);
        };
        s.setTimeout(timeoutMs, () => done(false));
        s.once("connect", () => done(true));
        s.once("error", () => done(false));
    });
}

/** What the watch looks at; the process's own by default (tests pass their own). */
export interface EngineWatchParts {
    /** The plugin's stdin, when it is a pipe the CLI holds; undefined when it cannot tell. */
    readonly stdin?: Readable & { unref?: () => void };
    readonly address?: { host: string; port: number };
    readonly alive?: (addr: { host: string; port: number }) => Promise<boolean>;
    readonly exit?: (code: number) => void;
    readonly pollMs?: number;
    readonly suspectPollMs?: number;
}

let watching = false;

/** stdin when it is a pipe or socket (what the CLI gives its plugins); a terminal or file tells nothing. */
function stdinPipe(): (Readable & { unref?: () => void }) | undefined {
    try {
        const st = fs.fstatSync(0);
        return st.isFIFO() || st.isSocket() ? process.stdin : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Once per process, in the dynamic provider only (or when `parts` are given): when the engine is gone, runs
 * `onGone` (abort the transfers; given at most ABORT_GRACE_MS) and exits with code 1. Never throws.
 */
export function exitWhenEngineGone(onGone: () => void | Promise<void>, parts?: EngineWatchParts): void {
    if (parts === undefined && (watching || !inProviderProcess())) {
        return;
    }
    const address = parts === undefined ? engineAddressOf() : parts.address;
    if (address === undefined) {
        return;
    }
    watching ||= parts === undefined;
    const stdin = parts === undefined ? stdinPipe() : parts.stdin;
    const alive = parts?.alive ?? answers;
    const exit = parts?.exit ?? ((code: number) => process.exit(code));
    let polling: NodeJS.Timeout | undefined;
    let checking = false;
    let ended = false;
    const gone = async () => {
        if (ended) {
            return;
        }
        ended = true;
        clearInterval(polling);
        const aborting = (async () => onGone())().catch(() => undefined);
        await Promise.race([aborting, new Promise((r) => setTimeout(r, ABORT_GRACE_MS).unref())]);
        exit(1);
    };
    const check = async () => {
        if (ended || checking) {
            return;
        }
        checking = true;
        const up = await alive(address);
        checking = false;
        if (!up) {
            await gone();
        }
    };
    const poll = (ms: number) => {
        clearInterval(polling);
        polling = setInterval(() => void check(), ms);
        polling.unref();
    };
    if (stdin === undefined) {
        poll(parts?.pollMs ?? POLL_MS);
        return;
    }
    let suspected = false;
    const suspect = () => {
        if (!suspected) {
            suspected = true;
            poll(parts?.suspectPollMs ?? SUSPECT_POLL_MS);
            void check();
        }
    };
    stdin.on("data", () => undefined); // the CLI never writes; read only to see the end
    stdin.once("end", suspect);
    stdin.once("close", suspect);
    stdin.on("error", suspect);
    stdin.resume();
    stdin.unref?.(); // the watch never keeps the process alive by itself
}
