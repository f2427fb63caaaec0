/**
 * The line under test (test/harness/engine.ts) is the one that runs: a program run with plain `pulumi up` reports
 * the Node.js version of the program and of the dynamic provider process, and the @pulumi/pulumi it loaded. Run on
 * both lines by scripts/test.sh, so each line's counts say which Node and Pulumi they were earned on.
 */
import * as assert from "node:assert";
import * as path from "node:path";
import { TestStack } from "../harness/stack";
import { getWorld, remoteDir, sshConnection, type World } from "../harness/world";

const probeProgram = `
const pulumi = require("@pulumi/pulumi");
const provider = {
    async create() {
        return { id: "probe", outs: { providerNode: process.version } };
    },
};
const probe = new pulumi.dynamic.Resource(provider, "probe", { providerNode: undefined }, {});
module.exports = {
    programNode: process.version,
    sdk: require("@pulumi/pulumi/package.json").version,
    providerNode: probe.providerNode,
};
`;

/**
 * A RemoteFile whose content is known only once the program has seen the dynamic-provider host running (a process
 * started by this program's `pulumi` CLI), or after `settings.waitMs`. A resource registers only once its inputs
 * are known, so the host can only be running before that if the first filedrop constructor had it started
 * (sdk/providerStart.ts). `settings.off` sets FILEDROP_NO_EARLY_PROVIDER first: the control that the wait can fail.
 */
const earlyHostProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
if (s.off) process.env.FILEDROP_NO_EARLY_PROVIDER = "1";
const { RemoteFile } = require("pulumi-filedrop");
const parentOf = (pid) => Number(fs.readFileSync("/proc/" + pid + "/stat", "utf8").replace(/^.*\\) /, "").split(" ")[1]);
const commOf = (pid) => fs.readFileSync("/proc/" + pid + "/comm", "utf8").trim();
let cli = process.pid;
while (cli > 1 && commOf(cli) !== "pulumi") cli = parentOf(cli);
const hostRunning = () => fs.readdirSync("/proc").filter((d) => /^[0-9]+$/.test(d)).some((d) => {
    let cmd;
    try { cmd = fs.readFileSync("/proc/" + d + "/cmdline", "utf8"); } catch { return false; }
    if (!cmd.includes("dynamic-provider")) return false;
    try { for (let p = Number(d); p > 1; p = parentOf(p)) if (p === cli) return true; } catch {}
    return false;
});
const started = Date.now();
const seen = new Promise((resolve) => {
    const look = () => hostRunning() ? resolve(true) : Date.now() - started > s.waitMs ? resolve(false) : setTimeout(look, 50);
    look();
});
const connection = { ...s.connection, privateKey: pulumi.secret(s.connection.privateKey) };
new RemoteFile("early", { connection, path: s.path, content: pulumi.output(seen).apply(() => "early\\n") });
module.exports = { hostBeforeRegistration: seen };
`;

describe("the engine line", function () {
    let w: World;
    let stack: TestStack;

    before(async function () {
        w = await getWorld();
        stack = new TestStack(w, `line-${w.line.name}`, probeProgram);
        process.stderr.write(
            `[line] ${w.line.name}: Node ${w.line.nodeVersion}, Pulumi CLI and language host ${w.line.pulumiVersion}, engine ${w.line.engineBin}\n`,
        );
    });

    after(async function () {
        await stack.run("destroy");
    });

    it(`runs programs and the dynamic provider on the line's Node, with its @pulumi/pulumi`, async function () {
        const r = await stack.ok("up");
        assert.strictEqual(r.summary.create, 2, r.output);
        const outputs = stack.resources("pulumi:pulumi:Stack")[0].outputs;
        assert.deepStrictEqual(outputs, {
            programNode: `v${w.line.nodeVersion}`,
            providerNode: `v${w.line.nodeVersion}`,
            sdk: w.line.pulumiVersion,
        });
    });

    for (const off of [false, true]) {
        it(
            off
                ? "with FILEDROP_NO_EARLY_PROVIDER the host starts only when the first resource registers (the control)"
                : "the first filedrop resource starts the dynamic-provider host before it registers, silently",
            async function () {
                const s = new TestStack(w, `early-host-${off ? "off" : "on"}-${w.line.name}`, earlyHostProgram);
                const dir = remoteDir(w, "early-host");
                // The bound only ends the control's wait; the host starts within about a second of being asked.
                s.setSettings({
                    connection: sshConnection(w),
                    path: path.join(dir, "early.txt"),
                    off,
                    waitMs: off ? 5000 : 60000,
                });
                try {
                    const r = await s.ok("up");
                    assert.strictEqual(r.summary.create, 2, r.output);
                    const outputs = s.resources("pulumi:pulumi:Stack")[0].outputs;
                    assert.deepStrictEqual(outputs, { hostBeforeRegistration: !off }, r.output);
                    assert.doesNotMatch(r.output, /startProvider|unknown function|warning|error/i);
                } finally {
                    await s.run("destroy");
                }
            },
        );
    }
});
