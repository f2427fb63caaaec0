/**
 * The SDK registers only the properties that are set, plus the declared outputs, and without a stack trace per
 * promise (sdk/unsetProps.ts, issue 13).
 */
import * as assert from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { registrationStackLimit, withoutUnset } from "../../../sdk/unsetProps";

describe("withoutUnset", function () {
    it("drops undefined values, keeps null, false, 0, empty strings and the declared outputs", function () {
        const props = { a: undefined, b: null, c: false, d: 0, e: "", f: "x", out: undefined, out2: 7 };
        assert.deepStrictEqual(withoutUnset(props, ["out", "out2"]), {
            b: null,
            c: false,
            d: 0,
            e: "",
            f: "x",
            out: undefined,
            out2: 7,
        });
        assert.ok(Object.hasOwn(withoutUnset(props, ["out"]), "out"));
        assert.ok(!Object.hasOwn(withoutUnset(props, ["out"]), "a"));
    });
});

/**
 * Runs `new RemoteDirectory` and `new RemoteFile` under Pulumi's mocks in a child process (the mocks are global to
 * a process) and reports the `Error.stackTraceLimit` the SDK's `debuggablePromise` saw while the resources'
 * properties were transferred, and the limit after the constructors returned.
 */
function registrationLimits(env: NodeJS.ProcessEnv): { seen: number[]; count: number; after: number } {
    const script = `
const pulumi = require("@pulumi/pulumi");
const debuggable = require("@pulumi/pulumi/runtime/debuggable");
const seen = [];
const original = debuggable.debuggablePromise;
debuggable.debuggablePromise = (p, ctx) => {
    if (String(ctx).startsWith("transferProperty(")) seen.push(Error.stackTraceLimit);
    return original(p, ctx);
};
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs }, "p", "s", true);
Error.stackTraceLimit = 17;
const { RemoteDirectory, RemoteFile } = require(${JSON.stringify(path.resolve(__dirname, "../../../sdk"))});
const connection = { host: "127.0.0.1", user: "deploy", password: pulumi.secret("pw"), hostKey: "SHA256:x" };
new RemoteDirectory("d", { connection, path: "/srv/app" });
new RemoteFile("f", { connection, path: "/srv/app/a.txt", content: "hello" });
process.stdout.write(JSON.stringify({ seen: [...new Set(seen)], count: seen.length, after: Error.stackTraceLimit }));
`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env, timeout: 30_000 });
    const json = r.stdout.match(/\{"seen".*\}/)?.[0];
    assert.ok(json, `no result from the child process (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(json);
}

describe("SparseDynamicResource registration", function () {
    this.timeout(40_000);
    const env = { ...process.env };
    delete env.PULUMI_DEBUG_PROMISE_LEAKS;

    it("records no stack for the SDK's promises while our resources register, and restores the limit", function () {
        const r = registrationLimits(env);
        assert.ok(r.count >= 10, `expected the SDK to make its per-property promises, saw ${r.count}`);
        assert.deepStrictEqual(r.seen, [0]);
        assert.strictEqual(r.after, 17);
    });

    it("keeps the stacks when the user debugs promise leaks (PULUMI_DEBUG_PROMISE_LEAKS)", function () {
        const r = registrationLimits({ ...env, PULUMI_DEBUG_PROMISE_LEAKS: "1" });
        assert.deepStrictEqual(r.seen, [17]);
        assert.strictEqual(r.after, 17);
    });

    it("chooses the limit from the environment", function () {
        assert.strictEqual(registrationStackLimit(10, {}), 0);
        assert.strictEqual(registrationStackLimit(10, { PULUMI_DEBUG_PROMISE_LEAKS: "true" }), 10);
    });
});
