/** What a server on host:port says first, as an SSH server's banner would be: one connection, at most a second. */
import * as net from "node:net";

/** The first bytes a server on host:port sends within a second ("" when none, or nothing listens). */
export function firstBytesOf(host: string, port: number): Promise<string> {
    return new Promise((resolve) => {
        const s = net.connect(port, host);
        let got = "";
        s.setTimeout(1000, () => s.destroy());
        s.on("data", (d) => {
            got += d.toString("latin1");
            s.destroy();
        });
        s.on("error", () => undefined);
        s.on("close", () => resolve(got));
    });
}

/** Whether something on host:port answers with an SSH banner within a second. */
export async function speaksSsh(host: string, port: number): Promise<boolean> {
    return (await firstBytesOf(host, port)).startsWith("SSH-2.0");
}
