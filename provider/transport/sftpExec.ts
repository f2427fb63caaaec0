/** Commands over SSH exec channels, a bounded number at once per connection. */
import type { Client, ClientChannel } from "ssh2";
import { EXECS_PER_CONNECTION } from "../defaults";
import { FiledropError } from "../errors";
import { ExecResult } from "./types";

export class SshExec {
    private running = 0;
    private readonly waiters: (() => void)[] = [];

    constructor(
        private readonly client: Client,
        private readonly endpoint: string,
    ) {}

    /** Runs a command, at most EXECS_PER_CONNECTION at a time (sshd's MaxSessions counts the SFTP channel too). */
    async run(command: string): Promise<ExecResult> {
        while (this.running >= EXECS_PER_CONNECTION) {
            await new Promise<void>((r) => this.waiters.push(r));
        }
        this.running++;
        try {
            return await this.runNow(command);
        } finally {
            this.running--;
            this.waiters.shift()?.();
        }
    }

    private runNow(command: string): Promise<ExecResult> {
        return new Promise<ExecResult>((resolve, reject) => {
            this.client.exec(command, (err: Error | undefined, stream: ClientChannel) => {
                if (err) {
                    reject(new FiledropError("UNSUPPORTED", `${this.endpoint} does not allow running commands (${err.message}).`, { cause: err }));
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
}
