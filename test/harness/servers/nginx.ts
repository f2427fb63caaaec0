/**
 * A real nginx (Debian's nginx-light, installed by scripts/servers/install.sh) for the nginx example's test, run in
 * the foreground as the SSH test user, on loopback high ports. Running it as that user (not root on port 443) is
 * what lets the deploy user's own commands over SSH (`nginx -t`, `nginx -s reload`) act on it without sudo, which
 * is another issue's part; everything else is as on a server: a main nginx.conf that includes `conf.d/*.conf`, a
 * master and a worker, configuration checked by `nginx -t` and reloaded by SIGHUP from `nginx -s reload`.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { type LoginUser, serverBinary } from "./installed";
import { freePorts } from "./ports";
import { ServerProcess } from "./serverProcess";

/** A running test nginx. */
export interface Nginx {
    /** Its prefix folder, owned by the login user: nginx.conf, conf.d/, tls/, logs/. */
    readonly prefix: string;
    /** Where site configs go (`include conf.d/*.conf` in nginx.conf). */
    readonly confDir: string;
    /** Where certificates and keys go. */
    readonly tlsDir: string;
    /** The nginx invocation for commands over SSH: add `-t` or `-s reload`. */
    readonly command: string;
    /** The port of the built-in default server (answers "default\n"; up before any site). */
    readonly basePort: number;
    /** A free port for the site under test. */
    readonly sitePort: number;
    /** nginx's own error log (level notice: it records each reload). */
    readonly errorLog: string;
    /** How many times the master has reloaded its configuration so far (SIGHUP lines in the error log). */
    reloads(): number;
    stop(): Promise<void>;
}

function chownTree(p: string, user: LoginUser): void {
    fs.chownSync(p, user.uid, user.gid);
    if (fs.statSync(p).isDirectory()) {
        for (const e of fs.readdirSync(p)) {
            chownTree(path.join(p, e), user);
        }
    }
}

/**
 * GET / on 127.0.0.1:port with a 2 s timeout, over HTTPS when `ca` (PEM) is given (checked, for the name
 * localhost): the status and body, or the error's code (e.g. ECONNREFUSED).
 */
export function fetchPage(port: number, ca?: string): Promise<{ status?: number; body: string; error?: string }> {
    return new Promise((resolve) => {
        const opts = { host: "127.0.0.1", port, path: "/", timeout: 2000 };
        const onResponse = (res: http.IncomingMessage) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode, body }));
        };
        const req =
            ca === undefined
                ? http.get(opts, onResponse)
                : https.get({ ...opts, ca, servername: "localhost" }, onResponse);
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", (e: NodeJS.ErrnoException) => resolve({ body: "", error: e.code ?? e.message }));
    });
}

/** Starts nginx under `dir` as `user`; resolves once its default server answers (at most 15 s). */
export async function startNginx(dir: string, user: LoginUser): Promise<Nginx> {
    const nginx = serverBinary("nginx");
    const prefix = path.join(dir, "nginx");
    for (const d of ["conf.d", "tls", "logs", "tmp"]) {
        fs.mkdirSync(path.join(prefix, d), { recursive: true });
    }
    const [basePort, sitePort] = await freePorts(2);
    const errorLog = path.join(prefix, "logs", "error.log");
    const conf = path.join(prefix, "nginx.conf");
    const tmp = path.join(prefix, "tmp");
    fs.writeFileSync(
        conf,
        [
            "# The test nginx of the nginx example (test/harness/servers/nginx.ts).",
            "daemon off;",
            "worker_processes 1;",
            `pid ${path.join(prefix, "logs", "nginx.pid")};`,
            `error_log ${errorLog} notice;`,
            "events { worker_connections 64; }",
            "http {",
            `    access_log ${path.join(prefix, "logs", "access.log")};`,
            ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
                (k) => `    ${k}_temp_path ${path.join(tmp, k)};`,
            ),
            `    server { listen 127.0.0.1:${basePort}; location / { return 200 "default\\n"; } }`,
            `    include ${path.join(prefix, "conf.d")}/*.conf;`,
            "}",
            "",
        ].join("\n"),
    );
    chownTree(prefix, user);
    const command = `${nginx} -p ${prefix}/ -e ${errorLog} -c ${conf}`;
    // setpriv execs nginx as the user (no fork), so the harness owns nginx's pid itself.
    const proc = ServerProcess.start(
        "nginx",
        "/usr/bin/setpriv",
        [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--", ...command.split(" ")],
        path.join(dir, "nginx.out"),
    );
    const deadline = Date.now() + 15000;
    for (;;) {
        proc.assertRunning();
        const r = await fetchPage(basePort);
        if (r.status === 200) {
            break;
        }
        if (Date.now() > deadline) {
            await proc.stop();
            throw new Error(`nginx did not answer on 127.0.0.1:${basePort} within 15 s; ${errorLog}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        prefix,
        confDir: path.join(prefix, "conf.d"),
        tlsDir: path.join(prefix, "tls"),
        command,
        basePort,
        sitePort,
        errorLog,
        reloads: () => (fs.readFileSync(errorLog, "utf8").match(/signal 1 \(SIGHUP\) received/g) ?? []).length,
        stop: () => proc.stop(),
    };
}
