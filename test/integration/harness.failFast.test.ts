/**
 * A server binary that is missing (a package removed by another `apt-get install` after setup, or a wrong override)
 * fails the server's start at once with an error naming the binary, instead of a readiness wait that never ends.
 * The overrides FILEDROP_SSHD_BIN, FILEDROP_VSFTPD_BIN, FILEDROP_PROFTPD_BIN and FILEDROP_NGINX_BIN
 * (test/harness/servers/installed.ts) point the harness at a path that does not exist.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { startFtpServer } from "../harness/servers/ftpServer";
import { ensureInstalled } from "../harness/servers/installed";
import { startNginx } from "../harness/servers/nginx";
import { ServerProcess } from "../harness/servers/serverProcess";
import { startSshd } from "../harness/servers/sshd";
import { makeTestPki } from "../harness/servers/tlsCerts";
import { scratchDir } from "../harness/world";

describe("harness: a missing server binary fails the start at once, naming it", function () {
    // A bound on a failure, not a measurement: before, such a start waited for mocha's 10-minute timeout.
    this.timeout(60000);
    let dir: string;
    before(function () {
        this.timeout(15 * 60 * 1000); // install.sh, on a fresh machine or behind another run's lock
        ensureInstalled();
        dir = fs.mkdtempSync(path.join(scratchDir(), "missing-bin-"));
        fs.chmodSync(dir, 0o755); // nginx runs as the test user
    });

    const starts: Record<string, (d: string) => Promise<unknown>> = {
        sshd: (d) => startSshd(d),
        vsftpd: (d) => startFtpServer(d, "vsftpd", { software: "vsftpd", tls: "none" }),
        proftpd: (d) => {
            const pki = makeTestPki(path.join(d, "tls"));
            return startFtpServer(d, "proftpd", {
                software: "proftpd",
                tls: "explicit",
                cert: { server: pki.server, ca: pki.ca },
            });
        },
        nginx: (d) => startNginx(d, ensureInstalled().user),
    };

    for (const [name, start] of Object.entries(starts)) {
        it(`${name}: FILEDROP_${name.toUpperCase()}_BIN at a path that does not exist`, async function () {
            const variable = `FILEDROP_${name.toUpperCase()}_BIN`;
            const missing = `/nonexistent/sbin/${name}`;
            const saved = process.env[variable];
            process.env[variable] = missing;
            let started: { stop?: () => Promise<void> } | undefined;
            try {
                await assert.rejects(
                    start(path.join(dir, name)).then((s) => {
                        started = s as typeof started;
                    }),
                    (e: Error) => e.message.includes(missing) && e.message.includes(variable),
                );
            } finally {
                await started?.stop?.();
                if (saved === undefined) {
                    delete process.env[variable];
                } else {
                    process.env[variable] = saved;
                }
            }
        });
    }

    it("a server process whose command does not exist is refused when started, naming the command", function () {
        assert.throws(
            () => ServerProcess.start("proftpd", "/nonexistent/sbin/proftpd", [], path.join(dir, "none.log")),
            /proftpd.*\/nonexistent\/sbin\/proftpd/,
        );
    });
});
