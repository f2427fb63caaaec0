/**
 * The line under test (test/harness/engine.ts) is the one that runs: a program run with plain `pulumi up` reports
 * the Node.js version of the program and of the dynamic provider process, and the @pulumi/pulumi it loaded. Run on
 * both lines by scripts/test.sh, so each line's counts say which Node and Pulumi they were earned on.
 */
import * as assert from "node:assert";
import { TestStack } from "../harness/stack";
import { getWorld, type World } from "../harness/world";

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
});
