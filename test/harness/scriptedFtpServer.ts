/**
 * A scripted FTP server for behaviours no packaged server shows: it answers AUTH TLS with a TLS upgrade (using a
 * given certificate), then replies to each command from a table, recording what it received. Loopback only.
 */
import * as net from "node:net";
import * as tls from "node:tls";

export interface ScriptedFtpServer {
    readonly port: number;
    /** Commands received, in order (PASS recorded as "PASS ***"). */
    readonly received: string[];
    close(): Promise<void>;
}

/**
 * Starts the server. `replies` maps a command verb (`"PROT"`, `"USER"`…) to its reply line; unknown verbs get
 * `502 Not implemented`.
 */
export async function startScriptedFtpServer(
    cert: string,
    key: string,
    replies: Record<string, string>,
): Promise<ScriptedFtpServer> {
    const received: string[] = [];
    const sockets = new Set<net.Socket>();
    const server = net.createServer((raw) => {
        sockets.add(raw);
        raw.on("close", () => sockets.delete(raw));
        let sock: net.Socket = raw;
        let buf = "";
        const onData = (d: Buffer) => {
            buf += d.toString("utf8");
            for (let i = buf.indexOf("\r\n"); i >= 0; i = buf.indexOf("\r\n")) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 2);
                const verb = line.split(" ")[0].toUpperCase();
                received.push(verb === "PASS" ? "PASS ***" : line);
                if (verb === "AUTH") {
                    sock.write("234 Proceed with negotiation.\r\n");
                    sock.removeListener("data", onData);
                    const secure = new tls.TLSSocket(raw, { isServer: true, cert, key });
                    secure.on("data", onData);
                    secure.on("error", () => undefined);
                    sock = secure;
                    return;
                }
                sock.write(`${replies[verb] ?? "502 Not implemented."}\r\n`);
            }
        };
        raw.on("data", onData);
        raw.on("error", () => undefined);
        raw.write("220 scripted test server\r\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return {
        port: (server.address() as net.AddressInfo).port,
        received,
        close: () =>
            new Promise<void>((r) => {
                for (const s of sockets) {
                    s.destroy();
                }
                server.close(() => r());
            }),
    };
}
