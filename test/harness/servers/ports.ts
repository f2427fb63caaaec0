/** Free TCP ports on loopback for the servers the harness starts. */
import * as net from "node:net";

function canListen(port: number, host: string): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, host, () => s.close(() => resolve(true)));
    });
}

/**
 * `count` consecutive ports, free on every host in `hosts`, below the kernel's ephemeral range (so an outgoing
 * connection cannot take one between this check and the server's listen) and not in `avoid`.
 */
export async function freePorts(
    count: number,
    hosts: readonly string[] = ["127.0.0.1"],
    avoid: ReadonlySet<number> = reserved,
): Promise<number[]> {
    const lo = 10000;
    const hi = 32000 - count;
    for (let attempt = 0; attempt < 500; attempt++) {
        const base = lo + Math.floor(Math.random() * (hi - lo));
        const ports = Array.from({ length: count }, (_, i) => base + i);
        if (ports.some((p) => avoid.has(p))) {
            continue;
        }
        let ok = true;
        for (const p of ports) {
            for (const h of hosts) {
                if (!(await canListen(p, h))) {
                    ok = false;
                    break;
                }
            }
            if (!ok) {
                break;
            }
        }
        if (ok) {
            for (const p of ports) {
                reserved.add(p);
            }
            return ports;
        }
    }
    throw new Error(`no block of ${count} free ports on ${hosts.join(", ")}`);
}

/** Ports handed out in this process (never handed out twice, even before a server listens on them). */
const reserved = new Set<number>();

/** One free port. */
export async function freePort(hosts: readonly string[] = ["127.0.0.1"]): Promise<number> {
    return (await freePorts(1, hosts))[0];
}

/** Whether something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect({ host, port });
        s.setTimeout(1000, () => s.destroy());
        s.once("connect", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
        s.once("close", () => resolve(false));
    });
}
