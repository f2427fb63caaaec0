/**
 * Runs one test sshd for a shell script (the demo), owning it like the tests do:
 *
 *   node dist/test/harness/servers/cli.js sshd DIR
 *
 * starts the sshd with its files in DIR, writes DIR/sshd.json (mode 0600: it holds the test password), prints
 * "ready", and stops the sshd on SIGTERM or SIGINT. scripts/servers/sshd.sh wraps it and starts it with stdin
 * from /dev/null, so the end of stdin must not stop it (it did: the demo's sshd was gone before `pulumi up`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startSshd } from "./sshd";

async function main(): Promise<void> {
    const [what, dir] = process.argv.slice(2);
    if (what !== "sshd" || !dir) {
        throw new Error("usage: node dist/test/harness/servers/cli.js sshd DIR");
    }
    const sshd = await startSshd(path.resolve(dir));
    const { stop, ...info } = sshd;
    fs.writeFileSync(path.join(dir, "sshd.json.tmp"), JSON.stringify(info, null, 1), { mode: 0o600 });
    fs.renameSync(path.join(dir, "sshd.json.tmp"), path.join(dir, "sshd.json"));
    process.stdout.write("ready\n");
    let stopping = false;
    const end = () => {
        if (!stopping) {
            stopping = true;
            void stop().finally(() => process.exit(0));
        }
    };
    process.on("SIGTERM", end).on("SIGINT", end);
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
});
