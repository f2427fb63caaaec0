/**
 * A loopback TCP proxy that cuts connections: it forwards 127.0.0.1:<port> to a target port, and for the first
 * `cuts.length` connections destroys both sides once the client has sent `cuts[i]` bytes. Used to drop an upload at
 * chosen points, as a flaky network would. Bounded: it only ever listens on loopback and closes with the test.
 */
import * as net from "net";

export class DropProxy {
    public port = 0;
    public connections = 0;
    private readonly server: net.Server;
    private readonly sockets = new Set<net.Socket>();

    constructor(
        private readonly targetPort: number,
        private readonly cuts: number[],
    ) {
        this.server = net.createServer((client) => this.onConnection(client));
    }

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.port = (this.server.address() as net.AddressInfo).port;
        return this;
    }

    private onConnection(client: net.Socket): void {
        const cutAt = this.cuts[this.connections++];
        const upstream = net.connect(this.targetPort, "127.0.0.1");
        this.sockets.add(client).add(upstream);
        let sent = 0;
        const cut = () => {
            client.destroy();
            upstream.destroy();
        };
        client.on("data", (d: Buffer) => {
            sent += d.length;
            if (cutAt !== undefined && sent >= cutAt) {
                cut();
                return;
            }
            upstream.write(d);
        });
        upstream.on("data", (d: Buffer) => client.write(d));
        client.on("error", cut).on("close", cut);
        upstream.on("error", cut).on("close", cut);
    }

    async stop(): Promise<void> {
        for (const s of this.sockets) {
            s.destroy();
        }
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
}
