/**
 * Failures read as one sentence each, through the real CLI (provider/engineReport.ts): check failures name the field
 * and carry no dump of the engine's value representation; an error thrown while refreshing or destroying is shown
 * without the dynamic provider's reprint and stack trace; connection retries say so, and the final error says how
 * many attempts were made and which option sets that. Also what a user does when a server is gone for good.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DropProxy } from "../harness/dropProxy";
import { remoteFilesProgram } from "../harness/programs";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

/** The text of the Diagnostics section of a CLI run. */
const diagnostics = (output: string) => output.slice(output.lastIndexOf("Diagnostics:"));
const count = (text: string, part: string) => text.split(part).length - 1;

describe("readable failures", function () {
    let w: World;

    before(async function () {
        w = await getWorld();
    });

    it("names the field in check failures, with no value dump", async function () {
        const stack = new TestStack(w, "readable-check", remoteFilesProgram);
        stack.setSettings({
            connection: { ...sshConnection(w), port: 70000 },
            files: [{ name: "bad", path: "relative/x", content: "x", mode: "999" }],
        });
        const r = await stack.run("preview");
        assert.notStrictEqual(r.code, 0, r.output);
        const d = diagnostics(r.output);
        assert.match(
            d,
            /RemoteFile resource 'bad' has a problem: `path` must be absolute \(start with \/\); got "relative\/x"/,
        );
        assert.match(
            d,
            /RemoteFile resource 'bad' has a problem: `mode` must be an octal string such as "0644"; got "999"/,
        );
        assert.match(
            d,
            /RemoteFile resource 'bad' has a problem: `connection\.port` must be a TCP port number \(1-65535\); got 70000/,
        );
        assert.ok(!/ value \{|map\[|<nil>/.test(r.output), `a value dump in:\n${r.output}`);
    });

    it("reports a server gone during refresh and destroy once per resource, without a stack trace; state delete lets go", async function () {
        const proxy = await new DropProxy(w.sshd.port, []).start();
        const root = remoteDir(w, "gone");
        const stack = new TestStack(w, "readable-gone", remoteFilesProgram);
        const connection = {
            ...sshConnection(w),
            port: proxy.port,
            knownHosts: undefined,
            hostKey: w.sshd.hostPublicKey,
            dialErrorLimit: 2,
        };
        stack.setSettings({ connection, files: [{ name: "f", path: path.join(root, "f.txt"), content: "x" }] });
        await stack.ok("up");
        await proxy.stop();
        for (const command of ["refresh", "destroy"] as const) {
            const r = await stack.run(command);
            assert.notStrictEqual(r.code, 0, r.output);
            const sentence = `Cannot connect to sftp://${w.sshd.user}@127.0.0.1:${proxy.port}`;
            assert.strictEqual(
                count(diagnostics(r.output), sentence),
                1,
                `${command}: the error is not shown once in Diagnostics:\n${r.output}`,
            );
            assert.ok(!/^\s+at .*\(.*:\d+:\d+\)$/m.test(r.output), `${command}: a stack trace in:\n${r.output}`);
            assert.ok(!r.output.includes("FiledropError:"), `${command}: the provider's reprint in:\n${r.output}`);
            assert.match(r.output, /attempt 1\/2 failed, next in [\d.]+ s; `dialErrorLimit` sets this/);
            assert.match(r.output, /gave up after 2 attempts \(`dialErrorLimit` sets how many\)/);
        }
        // The README's way out when a server is gone for good: forget the resource, keep the rest of the stack.
        const urn = stack.resources("pulumi-nodejs:dynamic/filedrop:RemoteFile")[0].urn;
        const del = await stack.runPulumi(["state", "delete", urn, "--yes", "--stack", "test", "--non-interactive"]);
        assert.strictEqual(del.code, 0, del.output);
        await stack.ok("destroy");
        assert.strictEqual(
            fs.readFileSync(path.join(root, "f.txt"), "utf8"),
            "x",
            "state delete must not touch the server",
        );
    });
});
