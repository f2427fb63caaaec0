/**
 * Starting the dynamic-provider host early (sdk/providerStart.ts): asked once per engine monitor, never under
 * Pulumi's mocks (a user's `mocks.call` must not see it), never with FILEDROP_NO_EARLY_PROVIDER. That the engine
 * really starts the host is shown with the real CLI in test/integration/engineLine.test.ts.
 */
import * as assert from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROVIDER_START_TOKEN, type RuntimeCalls, startProviderHost } from "../../../sdk/providerStart";

const sdk = JSON.stringify(path.resolve(__dirname, "../../../sdk"));

/** Runs `script` in a child node process (mocks and monitors are global to a process); returns its JSON line. */
function inChild(script: string): Record<string, unknown> {
    const env = { ...process.env };
    delete env.FILEDROP_NO_EARLY_PROVIDER;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env, timeout: 30_000 });
    const json = r.stdout.match(/\{"result".*\}/)?.[0];
    assert.ok(json, `no result from the child process (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(json).result;
}

describe("startProviderHost", function () {
    this.timeout(40_000);

    it("under Pulumi's mocks asks nothing: the user's mocks.call sees only the user's calls", function () {
        const result = inChild(`
const pulumi = require("@pulumi/pulumi");
const calls = [];
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => { calls.push(a.token); return {}; } }, "p", "s", true);
const { RemoteFile, RemoteDirectory } = require(${sdk});
const { startProviderHost } = require(${sdk} + "/providerStart");
const connection = { host: "127.0.0.1", user: "deploy", password: pulumi.secret("pw"), hostKey: "SHA256:x" };
new RemoteDirectory("d", { connection, path: "/srv/app" });
new RemoteFile("f", { connection, path: "/srv/app/a.txt", content: "hello" });
const asked = startProviderHost();
setTimeout(() => process.stdout.write(JSON.stringify({ result: { asked, calls } })), 500);
`);
        assert.deepStrictEqual(result, { asked: false, calls: [] });
    });

    it("with an engine monitor asks once per monitor, for a function the host cannot have, and drops the answer", async function () {
        let monitor: object | undefined;
        const asked: string[] = [];
        const runtime = {
            getMonitor: () => monitor,
            // Refused like the dynamic-provider host refuses every function.
            invoke: (tok: string) => {
                asked.push(tok);
                return Promise.reject(new Error(`unknown function ${tok}`));
            },
        } as unknown as RuntimeCalls;
        const engineMonitor = () => ({ getChannel() {} });
        assert.strictEqual(startProviderHost({}, runtime), false, "no monitor: not under the engine");
        monitor = { invoke() {} }; // Pulumi's mock monitor has no gRPC channel
        assert.strictEqual(startProviderHost({}, runtime), false, "a mock monitor");
        monitor = engineMonitor();
        assert.deepStrictEqual([startProviderHost({}, runtime), startProviderHost({}, runtime)], [true, false]);
        monitor = engineMonitor(); // a second program run in the same process (Automation API)
        assert.strictEqual(startProviderHost({ FILEDROP_NO_EARLY_PROVIDER: "1" }, runtime), false);
        assert.strictEqual(startProviderHost({}, runtime), true);
        assert.deepStrictEqual(asked, [PROVIDER_START_TOKEN, PROVIDER_START_TOKEN]);
        const throwing = {
            getMonitor: () => {
                throw new Error("Program run without the Pulumi engine available");
            },
            invoke: runtime.invoke,
        } as unknown as RuntimeCalls;
        assert.strictEqual(startProviderHost({}, throwing), false, "a constructor never fails because of it");
        assert.match(PROVIDER_START_TOKEN, /^pulumi-nodejs:/, "the package of the host our resources use");
        await new Promise((r) => setImmediate(r)); // the refusal is dropped (an unhandled rejection fails mocha)
    });
});
