/**
 * Commands over SSH exec channels. Every channel of the connection comes out of one ChannelBudget shared with the
 * SFTP session (sshd's MaxSessions counts both): a command beyond the server's limit waits for a channel instead
 * of failing.
 */
import type { Client, ClientChannel } from "ssh2";
import { EXEC_KILL_AFTER_S, EXEC_WAIT_AFTER_LIMIT_MS, EXECS_PER_CONNECTION } from "../../defaults";
import { connectionLost, FiledropError } from "../../errors";
import { shellQuote } from "../../shellQuote";
import type { ExecOptions, ExecResult } from "../types";
import { ChannelBudget } from "./channelBudget";

/** The server refused to open a channel (its answer to a channel beyond MaxSessions, or to exec at all). */
class ChannelRefused extends Error {}

export class SshExec {
    /** The SFTP session holds one channel for the connection's life; up to EXECS_PER_CONNECTION commands beside it. */
    private readonly budget = new ChannelBudget(1 + EXECS_PER_CONNECTION, 1);

    constructor(
        private readonly client: Client,
        private readonly endpoint: string,
    ) {}

    /** Runs a command once a channel is free; UNSUPPORTED only when the server refuses a channel with none of ours open. */
    async run(command: string, options: ExecOptions = {}): Promise<ExecResult> {
        try {
            return await this.budget.run(
                () => this.runNow(command, options),
                (e) => e instanceof ChannelRefused,
            );
        } catch (e) {
            if (e instanceof ChannelRefused) {
                throw new FiledropError(
                    "UNSUPPORTED",
                    `${this.endpoint} does not allow running commands (${e.message}).`,
                    { cause: e },
                );
            }
            throw e;
        }
    }

    /** True when a command waits for a channel. */
    get contended(): boolean {
        return this.budget.contended;
    }

    /** Calls `listener` each time a command (or a session) starts to wait for a channel; returns what stops it. */
    onWait(listener: () => void): () => void {
        return this.budget.onWait(listener);
    }

    /**
     * Runs `use`, which opens one more channel (an SFTP session) and closes it before it settles, out of the same
     * budget as the commands; any failure of `use` to open it counts as the server's refusal.
     */
    hold<T>(use: () => Promise<T>): Promise<T> {
        return this.budget.run(
            () =>
                use().catch((e: unknown) => {
                    throw new ChannelRefused((e as Error).message);
                }),
            (e) => e instanceof ChannelRefused,
        );
    }

    private runNow(command: string, options: ExecOptions): Promise<ExecResult> {
        return execOnce(this.client, command, (e) => new ChannelRefused(e.message), {
            ...options,
            endpoint: this.endpoint,
        });
    }
}

/**
 * `command` limited to `seconds` on the server: run by coreutils `timeout` in a process group of its own, which gets
 * TERM at the limit and KILL EXEC_KILL_AFTER_S later, so nothing it started outlives it, also when our connection is
 * gone. Where `timeout` is not installed, the command runs as written (the client still stops waiting at the limit).
 */
export function timeLimited(command: string, seconds: number): string {
    const sh = `sh -c ${shellQuote(command)}`;
    return `command -v timeout >/dev/null 2>&1 && exec timeout -k ${EXEC_KILL_AFTER_S} ${seconds} ${sh} || exec ${sh}`;
}

/** What `execOnce` needs besides the command: a time limit (see ExecOptions) and the endpoint, for messages. */
export interface ExecOnceOptions extends ExecOptions {
    readonly endpoint?: string;
}

/**
 * Runs one command on a new exec channel and collects its output. When the server refuses the channel, rejects
 * with `refused(error)`. With `timeoutMs`, the command runs under {@link timeLimited}; its exit 124 at the limit, or
 * no answer EXEC_WAIT_AFTER_LIMIT_MS after it (the channel is then closed), is `timedOut`. A channel that closes
 * without an exit status (the connection dropped) rejects with a transient CONNECTION_LOST.
 */
export function execOnce(
    client: Client,
    command: string,
    refused: (e: Error) => Error = (e) => e,
    options: ExecOnceOptions = {},
): Promise<ExecResult> {
    const limit = options.timeoutMs;
    const line = limit === undefined ? command : timeLimited(command, Math.max(limit, 1) / 1000);
    return new Promise<ExecResult>((resolve, reject) => {
        const started = Date.now();
        client.exec(line, (err: Error | undefined, stream: ClientChannel) => {
            if (err) {
                reject(refused(err));
                return;
            }
            const out: Buffer[] = [];
            const errOut: Buffer[] = [];
            const output = () => ({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString() });
            let exit: { code: number | null; signal?: string } | undefined;
            let settled = false;
            const settle = (f: () => void) => {
                if (!settled) {
                    settled = true;
                    clearTimeout(timer);
                    client.removeListener("close", onClientClose);
                    f();
                }
            };
            const lost = () =>
                connectionLost(
                    options.endpoint ?? "the server",
                    "run",
                    `\`${command}\``,
                    undefined,
                    "the channel closed before the command's exit status arrived",
                );
            const onClientClose = () => settle(() => reject(lost()));
            client.once("close", onClientClose);
            const timer =
                limit === undefined
                    ? undefined
                    : setTimeout(() => {
                          settle(() => resolve({ code: null, timedOut: true, ...output() }));
                          stream.close();
                      }, limit + EXEC_WAIT_AFTER_LIMIT_MS);
            stream.on("data", (d: Buffer) => out.push(d));
            stream.stderr.on("data", (d: Buffer) => errOut.push(d));
            stream.on("exit", (code: number | null, signal?: string) => {
                exit = { code: code ?? null, signal: signal ?? undefined };
            });
            stream.on("close", () =>
                settle(() => {
                    if (exit === undefined) {
                        reject(lost());
                        return;
                    }
                    const timedOut = limit !== undefined && exit.code === 124 && Date.now() - started >= limit;
                    resolve({ ...exit, ...(timedOut ? { code: null, timedOut } : {}), ...output() });
                }),
            );
        });
    });
}
