/**
 * The plugin's check prepares the user's arguments into the handlers' inputs as the TypeScript SDK does at program
 * time (provider/plan/prepareInputs.ts), and knows which of them are secret.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SOURCE_TEXT_HEADER } from "../../../provider/defaults";
import { sha256OfText } from "../../../provider/hashing";
import { manifestOf } from "../../../provider/plan/manifestCodec";
import { prepareInputs } from "../../../provider/plan/prepareInputs";
import { importCredentials, parseFileId } from "../../../provider/plugin/importRead";
import { UNKNOWN } from "../../../provider/unknown";

const ctx = (secretArgs: string[] = []) => ({
    name: "f",
    urn: "urn:pulumi:s::p::filedrop:index:RemoteFile::f",
    secretArgs: new Set(secretArgs),
    warn: () => undefined,
});

describe("plugin: preparing a resource's arguments", function () {
    it("splits the credentials from the connection, hashes a secret content and names the secret inputs", async function () {
        const p = await prepareInputs(
            "RemoteFile",
            {
                connection: {
                    host: "h",
                    user: "u",
                    password: "pw",
                    hostkey: "typo",
                    proxy: { host: "b", privateKey: "k" },
                },
                path: "/etc/a",
                content: "hello\n",
                mode: "0640",
            },
            ctx(["connection", "content"]),
        );
        assert.deepStrictEqual(p.inputs.connection, { host: "h", user: "u", proxy: { host: "b" } });
        assert.deepStrictEqual(p.inputs.credentials, { password: "pw", hostkey: "typo", proxy: { privateKey: "k" } });
        assert.strictEqual(p.inputs.sha256, sha256OfText("hello\n"));
        assert.strictEqual(p.inputs.size, 6);
        assert.strictEqual(p.inputs.contentSecret, true);
        assert.deepStrictEqual(p.inputs.preview, { secret: true });
        assert.deepStrictEqual(p.secretKeys.sort(), ["content", "credentials", "sha256", "size"]);
    });

    it("keeps a local source relative to the working folder, with its text, and lists unknown arguments", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fd-prep-"));
        const cwd = process.cwd();
        try {
            process.chdir(dir);
            fs.writeFileSync("app.conf", "a = 1\n");
            const p = await prepareInputs(
                "RemoteFile",
                { connection: { host: "h" }, path: "/a", source: "./app.conf", modee: "0644" },
                ctx(),
            );
            assert.strictEqual(p.inputs.sourcePath, "app.conf");
            assert.strictEqual(p.inputs.sourceText, `${SOURCE_TEXT_HEADER}a = 1\n`);
            assert.strictEqual(p.inputs.sha256, sha256OfText("a = 1\n"));
            assert.deepStrictEqual(p.inputs.unknownArgs, ["modee"]);
            assert.deepStrictEqual(p.secretKeys, ["credentials"]);
        } finally {
            process.chdir(cwd);
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("makes what depends on a value not known yet unknown too (a preview)", async function () {
        const p = await prepareInputs("RemoteFile", { connection: UNKNOWN, path: "/a", content: UNKNOWN }, ctx());
        assert.strictEqual(p.inputs.connection, UNKNOWN);
        assert.strictEqual(p.inputs.credentials, UNKNOWN);
        assert.strictEqual(p.inputs.sha256, UNKNOWN);
    });

    it("builds a tree's manifest from its local folder", async function () {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fd-prep-"));
        fs.writeFileSync(path.join(dir, "index.html"), "<p>hi</p>\n");
        try {
            const p = await prepareInputs(
                "RemoteTree",
                { connection: { host: "h" }, source: dir, destination: "/srv/site" },
                ctx(),
            );
            // Packed as the SDK sends it (plan/manifestCodec.ts).
            assert.deepStrictEqual(Object.keys(manifestOf(p.inputs.manifest as string)), ["index.html"]);
            assert.strictEqual(p.inputs.sourceDir, dir);
            assert.deepStrictEqual(p.inputs.problems, []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("plugin: pulumi import's id and credential", function () {
    it("reads protocol, user, host, port and path from an id", function () {
        assert.deepStrictEqual(parseFileId("sftp://deploy@10.0.0.5:2222/etc/app.conf"), {
            protocol: "sftp",
            user: "deploy",
            host: "10.0.0.5",
            port: 2222,
            path: "/etc/app.conf",
        });
        assert.strictEqual(parseFileId("ftps://a@b@[::1]:21/x").host, "::1");
        assert.throws(() => parseFileId("deploy@host:/etc/app.conf"), /is not a filedrop id; give protocol/);
    });

    it("takes the credential from the environment only", function () {
        assert.deepStrictEqual(importCredentials({ FILEDROP_PASSWORD: "pw" }), { password: "pw" });
        assert.deepStrictEqual(importCredentials({}), {});
        assert.throws(() => importCredentials({ FILEDROP_PRIVATE_KEY_FILE: "/nonexistent/key" }), /cannot be read/);
    });
});
