/**
 * examples/offsite-backup as a user runs it (issue 10 item 7): each night's backup file goes into a dated folder
 * on the test sshd, verified, and the newest `keep` nights stay there. With keep = 2 and two nights deployed, the
 * next night's `up` uploads it and deletes the oldest night's file and folder. An empty local folder is refused
 * without touching the off-site copy; destroy leaves the server as it was.
 */
import * as assert from "node:assert";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { exampleStack, setConfig } from "../harness/examples";
import type { TestStack } from "../harness/stack";
import { getWorld, remoteDir, snapshot, type World } from "../harness/world";

function show(what: string): void {
    process.stdout.write(`      [offsite-backup] ${what}\n`);
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("examples/offsite-backup: dated folders, verified, newest N kept", function () {
    let world: World;
    let stack: TestStack;
    let local: string;
    let offsite: string;
    let remoteRoot: string;

    before(async function () {
        world = await getWorld();
        local = fs.mkdtempSync(path.join(world.dir, "backups-"));
        offsite = remoteDir(world, "offsite");
        remoteRoot = path.join(offsite, "web1");
        stack = await exampleStack(world, "offsite-backup", {
            host: world.sshd.host,
            port: String(world.sshd.port),
            user: world.sshd.user,
            privateKeyPath: world.sshd.privateKeyPath,
            knownHosts: world.sshd.knownHostsPath,
            backupDir: local,
            remoteRoot,
            keep: "2",
        });
    });

    /** The night's backup job: writes its files into the local folder. */
    function night(files: Record<string, number>): void {
        for (const [name, size] of Object.entries(files)) {
            fs.writeFileSync(path.join(local, name), randomBytes(size));
        }
    }

    /** The off-site copy: dated folder -> file names, each checked against the local file's SHA-256 and mode 0600. */
    function offsiteNights(): Record<string, string[]> {
        const out: Record<string, string[]> = {};
        for (const d of fs.existsSync(remoteRoot) ? fs.readdirSync(remoteRoot).sort() : []) {
            out[d] = fs.readdirSync(path.join(remoteRoot, d)).sort();
            for (const f of out[d]) {
                const remote = path.join(remoteRoot, d, f);
                assert.strictEqual(sha(fs.readFileSync(remote)), sha(fs.readFileSync(path.join(local, f))), remote);
                assert.strictEqual(fs.statSync(remote).mode & 0o777, 0o600, remote);
            }
        }
        return out;
    }

    it("uploads each night into its dated folder and keeps the newest two nights", async function () {
        const before = snapshot(offsite);

        // The stack starts with two nights already in the local folder (the job ran before the stack existed).
        night({ "2026-11-23.tar.zst": 300_000, "2026-11-24.tar.zst": 250_000 });
        const up1 = await stack.ok("up");
        show(`first up: ${JSON.stringify(up1.summary)} -> ${JSON.stringify(offsiteNights())}`);
        assert.deepStrictEqual(up1.summary, { create: 4 }); // the stack, the root folder, two nights
        assert.deepStrictEqual(offsiteNights(), {
            "2026-11-23": ["2026-11-23.tar.zst"],
            "2026-11-24": ["2026-11-24.tar.zst"],
        });

        night({ "2026-11-25.tar.zst": 280_000, "2026-11-25.sql.gz": 20_000 });
        const up3 = await stack.ok("up");
        show(`next night: ${JSON.stringify(up3.summary)} -> ${JSON.stringify(offsiteNights())}`);
        assert.deepStrictEqual(up3.summary, { create: 2, delete: 1, same: 3 });
        assert.deepStrictEqual(offsiteNights(), {
            "2026-11-24": ["2026-11-24.tar.zst"],
            "2026-11-25": ["2026-11-25.sql.gz", "2026-11-25.tar.zst"],
        });
        const files = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteFile");
        show(`verified by: ${[...new Set(files.map((f) => f.outputs.verifiedBy))].join(", ")}`);
        assert.strictEqual(files.length, 3);
        for (const f of files) {
            // Small files are read back over SFTP (a server command would cost more: READ_BACK_MAX_BYTES).
            const big = Number(f.outputs.size) > 256 << 10;
            assert.match(String(f.outputs.verifiedBy), big ? /^ssh exec: / : /^read-back$/, String(f.outputs.path));
        }

        // A lost local disk (an empty folder) must not empty the off-site copy.
        const empty = fs.mkdtempSync(path.join(world.dir, "backups-empty-"));
        await setConfig(stack, { backupDir: empty });
        const refused = await stack.run("up");
        const why = refused.output.split("\n").find((l) => l.includes("refusing to deploy"));
        show(`empty local folder: exit ${refused.code}: ${why?.trim()}`);
        assert.notStrictEqual(refused.code, 0);
        assert.match(refused.output, /No backup files named YYYY-MM-DD… in .*; refusing to deploy/);
        assert.deepStrictEqual(Object.keys(offsiteNights()), ["2026-11-24", "2026-11-25"]);

        await setConfig(stack, { backupDir: local });
        const destroy = await stack.ok("destroy");
        show(`destroy: ${JSON.stringify(destroy.summary)}`);
        assert.deepStrictEqual(snapshot(offsite), before, "destroy leaves the server as it was");
    });
});
