/**
 * One mode decision (provider/ops/applyMode.ts) on a server that cannot chmod (the memory transport with
 * `capabilities.chmod` off and a umask of 077, like vsftpd with `chmod_enable=NO`): a RemoteFile and a RemoteTree
 * behave the same. Less open than asked is a warning; more open than asked is refused before the target is touched.
 */
import * as assert from "node:assert";
import { endpointUrl } from "../../../provider/connection";
import { hasCode } from "../../../provider/errors";
import { check, create as createFile, type RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import { create as createTree } from "../../../provider/handlers/remoteTree";
import { givenWarnings } from "../../../provider/warnings";
import { checkedBy, freshServer, onServer, sha, temporaries } from "../support/fixtures";
import { localTree } from "../support/localTree";
import type { MemoryServer } from "../support/memoryTransport";
import { treeInputsOf } from "../support/treeInputs";

describe("ops/applyMode: a server that cannot chmod (memory transport)", function () {
    let f: ReturnType<typeof freshServer>;
    let server: MemoryServer;
    let src: ReturnType<typeof localTree>;

    beforeEach(function () {
        f = freshServer();
        server = f.server;
        server.capabilities = { ...server.capabilities, chmod: false };
        server.umask = 0o077;
        src = localTree({ "a.txt": "a\n" });
    });
    afterEach(async () => {
        src.remove();
        await server.uninstall();
    });

    const file = (mode: string): Promise<RemoteFileInputs> =>
        checkedBy(check, {
            connection: f.connection,
            credentials: f.credentials,
            path: "/srv/f.txt",
            content: "x\n",
            sha256: sha("x\n"),
            size: 2,
            mode,
        });
    const tree = (modes: Record<string, string>) => treeInputsOf(f, () => src.dir, "/srv/t")({ modes });
    const modeOf = (p: string) => server.fs.lstat(p)?.mode;
    const warningsAbout = (p: string) => givenWarnings.filter((w) => w.startsWith(`${endpointUrl(f.connection)}${p} `));

    it("the memory transport refuses chmod and gives new files its own mode, as such a server does", async function () {
        await onServer(f.connection, async (t) => {
            await assert.rejects(t.chmod("/", 0o700), (e) => hasCode(e, "UNSUPPORTED"));
        });
        server.fs.mkdirp("/srv");
        await createFile(await file("0644"));
        assert.strictEqual(modeOf("/srv/f.txt"), 0o600);
    });

    it("asked 0644, given 0600: a RemoteTree and a RemoteFile both keep 0600, and it is said once per server", async function () {
        await createTree(await tree({ "*.txt": "0644" }));
        assert.strictEqual(modeOf("/srv/t/a.txt"), 0o600);
        const said = warningsAbout("/srv/t/a.txt");
        assert.strictEqual(said.length, 1);
        assert.match(
            said[0],
            /is mode 0600, not the 0644 asked for: the server does not allow changing permission bits/,
        );
        await createFile(await file("0644"));
        assert.strictEqual(modeOf("/srv/f.txt"), 0o600);
        assert.deepStrictEqual(warningsAbout("/srv/f.txt"), [], "said again for the same server and modes");
    });

    it("asked 0644, given 0600: a RemoteFile alone says so too", async function () {
        await createFile(await file("0644"));
        assert.strictEqual(modeOf("/srv/f.txt"), 0o600);
        assert.match(warningsAbout("/srv/f.txt")[0] ?? "", /is mode 0600, not the 0644 asked for/);
    });

    it("asked 0400, given 0600: a RemoteFile and a RemoteTree are both refused, nothing left behind", async function () {
        const refused = (e: unknown) =>
            hasCode(e, "UNSUPPORTED") && /would be mode 0600, more open than the 0400 asked for/.test(String(e));
        await assert.rejects(createFile(await file("0400")), refused);
        await assert.rejects(createTree(await tree({ "*.txt": "0400" })), refused);
        assert.strictEqual(modeOf("/srv/f.txt"), undefined);
        assert.strictEqual(modeOf("/srv/t/a.txt"), undefined);
        assert.deepStrictEqual(temporaries(server, "/srv"), []);
    });

    it("asked what the server gives (0600): no chmod, no warning", async function () {
        await createFile(await file("0600"));
        await createTree(await tree({ "*.txt": "0600" }));
        assert.strictEqual(modeOf("/srv/f.txt"), 0o600);
        assert.deepStrictEqual([...warningsAbout("/srv/f.txt"), ...warningsAbout("/srv/t/a.txt")], []);
        assert.ok(!server.calls.some((c) => c.op === "chmod"));
    });
});
