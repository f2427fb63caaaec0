/**
 * Commands over SSH exec channels. Every channel of the connection comes out of one ChannelBudget shared with the
 * SFTP session (sshd's MaxSessions counts both): a command beyond the server's limit waits for a channel instead
 * of failing.
 */
import type { Client, ClientChannel } from "ssh2";
import { EXECS_PER_CONNECTION } from "../../defaults";
import { FiledropError } from "../../errors";
import type { ExecResult } from "../types";
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
    async run(command: string): Promise<ExecResult> {
        try {
            return await this.budget.run(
                () => this.runNow(command),
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

    private runNow(command: string): Promise<ExecResult> {
        return execOnce(this.client, command, (e) => new ChannelRefused(e.message));
    }
}

/**
 * Runs one command on a new exec channel and collects its output. When the server refuses the channel, rejects
 * with `refused(error)`.
 */
export function execOnce(
    client: Client,
    command: string,
    refused: (e: Error) => Error = (e) => e,
): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
        client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
            if (err) {
                reject(refused(err));
                return;
            }
            const out: Buffer[] = [];
            const errOut: Buffer[] = [];
            stream.on("data", (d: Buffer) => out.push(d));
            stream.stderr.on("data", (d: Buffer) => errOut.push(d));
            stream.on("close", (code: number | null) =>
                resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString() }),
            );
        });
    });
}
