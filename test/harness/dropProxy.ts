/**
 * A loopback TCP proxy that cuts connections, as a flaky network would. Two ways to use it:
 *
 * - `new DropProxy(targetPort, cuts).start()`: one listener on a free port forwarding to 127.0.0.1:targetPort; the
 *   i-th connection is cut (both sides destroyed) once its client has sent `cuts[i]` bytes. For SSH.
 * - `DropProxy.mirror({ ports, targetHost, cuts })`: a listener on 127.0.0.1 for each port, forwarding to the same
 *   port on `targetHost` (e.g. 127.0.0.2). For FTP: the server listens on 127.0.0.2 and names 127.0.0.1 in its PASV
 *   replies (vsftpd `pasv_address`, ProFTPD `MasqueradeAddress`), so control AND passive data connections pass
 *   through the proxy without it reading the (TLS-encrypted) control channel. Bytes sent by clients over all
 *   connections count together; at `cuts[k]` every open connection is cut and the count starts again.
 *
 * Bounded: it only listens on loopback and closes with the test.
 */
import * as net from "node:net";

/** A mirroring proxy in front of a server on another loopback address. */
export interface MirrorOptions {
    /** Ports to listen on (on 127.0.0.1); each forwards to the same port on `targetHost`. */
    readonly ports: readonly number[];
    /** Where the server listens. */
    readonly targetHost: string;
    /** Client bytes (all connections together) after which every connection is cut; one entry per cut. */
    readonly cuts: readonly number[];
}

export class DropProxy {
    public port = 0;
    /** Connections accepted so far. */
    public connections = 0;
    /** Cuts made so far. */
    public cutsMade = 0;
    /** Bytes received from clients so far (all connections), e.g. to see how much an upload sent. */
    public clientBytes = 0;
    private readonly servers: net.Server[] = [];
    private readonly sockets = new Set<net.Socket>();
    private shared = false;
    private sharedSent = 0;
    private routes: { listen: number; host: string; port: number }[];

    constructor(
        targetPort: number,
        private cuts: readonly number[],
    ) {
        this.routes = [{ listen: 0, host: "127.0.0.1", port: targetPort }];
    }

    /** A proxy for control and passive data ports alike (see the file's comment); started. */
    static async mirror(o: MirrorOptions): Promise<DropProxy> {
        const p = new DropProxy(0, o.cuts);
        p.shared = true;
        p.routes = o.ports.map((port) => ({ listen: port, host: o.targetHost, port }));
        return p.start();
    }

    /** While true, every new connection is cut at once (the network is down). */
    public refusing = false;

    /** Cuts every open connection now, whatever the byte counts (e.g. while a remote command runs). */
    cutNow(): void {
        this.cutAll();
    }

    async start(): Promise<this> {
        for (const r of this.routes) {
            // Half-open allowed: an FTP upload ends its data connection with FIN and waits for the server's reply.
            const server = net.createServer({ allowHalfOpen: true }, (client) =>
                this.onConnection(client, r.host, r.port),
            );
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(r.listen, "127.0.0.1", () => resolve());
            });
            this.servers.push(server);
        }
        this.port = (this.servers[0].address() as net.AddressInfo).port;
        return this;
    }

    /** From now on, cut after `bytes` more client bytes (mirror proxies), e.g. once a readiness probe is through. */
    armCut(...bytes: number[]): void {
        this.cuts = [...this.cuts.slice(0, this.cutsMade), ...bytes];
        this.sharedSent = 0;
    }

    private cutAll(): void {
        this.cutsMade++;
        this.sharedSent = 0;
        for (const s of this.sockets) {
            s.destroy();
        }
    }

    private onConnection(client: net.Socket, host: string, port: number): void {
        if (this.refusing) {
            client.destroy();
            return;
        }
        const cutAt = this.shared ? undefined : this.cuts[this.connections];
        this.connections++;
        const upstream = net.connect({ port, host, localAddress: "127.0.0.1", allowHalfOpen: true });
        this.sockets.add(client).add(upstream);
        let sent = 0;
        const cut = () => {
            client.destroy();
            upstream.destroy();
            this.sockets.delete(client);
            this.sockets.delete(upstream);
        };
        client.on("data", (d: Buffer) => {
            this.clientBytes += d.length;
            if (this.shared) {
                this.sharedSent += d.length;
                const limit = this.cuts[this.cutsMade];
                if (limit !== undefined && this.sharedSent >= limit) {
                    this.cutAll();
                    return;
                }
            } else {
                sent += d.length;
                if (cutAt !== undefined && sent >= cutAt) {
                    this.cutsMade++;
                    cut();
                    return;
                }
            }
            upstream.write(d);
        });
        upstream.on("data", (d: Buffer) => client.write(d));
        // A graceful end is passed on (after what is queued); an error or a reset cuts both sides.
        client.on("end", () => upstream.end());
        upstream.on("end", () => client.end());
        client.on("error", cut).on("close", (hadError) => (hadError ? cut() : upstream.end()));
        upstream.on("error", cut).on("close", (hadError) => (hadError ? cut() : client.end()));
    }

    async stop(): Promise<void> {
        for (const s of this.sockets) {
            s.destroy();
        }
        await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
}
