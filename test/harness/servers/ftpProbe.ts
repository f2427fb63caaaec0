/**
 * Readiness of an FTP server, checked the way the provider talks to it: basic-ftp logs in (TLS verified against
 * the server's CA), lists the home folder over a protected data connection, and reads FEAT.
 */
import * as fs from "node:fs";
import { Client } from "basic-ftp";

/** How to log in to one FTP server. */
export interface FtpLogin {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    /** false: plain FTP; true: explicit FTPS (AUTH TLS); "implicit": implicit FTPS. */
    readonly secure: boolean | "implicit";
    /** CA to verify the server's certificate with (TLS servers). */
    readonly caCertPath?: string;
}

/** What the probe found. */
export interface FtpFeatures {
    /** Algorithms of FEAT's HASH line ("SHA-256", …); [] when the server offers no HASH. */
    readonly hashAlgorithms: string[];
}

async function probeOnce(login: FtpLogin): Promise<FtpFeatures> {
    const client = new Client(10000);
    try {
        await client.access({
            host: login.host,
            port: login.port,
            user: login.user,
            password: login.password,
            secure: login.secure,
            secureOptions: login.caCertPath ? { ca: fs.readFileSync(login.caCertPath) } : undefined,
        });
        await client.list();
        const hash = (await client.features()).get("HASH");
        return {
            hashAlgorithms: hash
                ? hash
                      .split(";")
                      .map((a) => a.trim().replace(/\*$/, ""))
                      .filter((a) => a !== "")
                : [],
        };
    } finally {
        client.close();
    }
}

/**
 * Probes until the server answers (up to `timeoutMs`), calling `alive` between attempts so a server that died is
 * reported at once. The last error is in the message.
 */
export async function probeFtp(login: FtpLogin, alive: () => void, timeoutMs = 15000): Promise<FtpFeatures> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        alive();
        try {
            return await probeOnce(login);
        } catch (e) {
            const refused = (e as NodeJS.ErrnoException).code === "ECONNREFUSED";
            if (!refused || Date.now() > deadline) {
                throw new Error(`FTP server ${login.host}:${login.port} did not get ready: ${(e as Error).message}`);
            }
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}
