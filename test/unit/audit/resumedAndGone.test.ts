/**
 * Audit lines that used to say too much (issue 19 item 9), on the memory transport: a resumed RemoteFile upload
 * logs the bytes it sent, where it resumed and MB/s of what it sent (not of the whole file); a tree destroy logs a
 * file that was already gone as `gone`, not `ok`.
 */
import * as assert from "node:assert";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { audited } from "../../../provider/audit/audited";
import { configureAudit } from "../../../provider/audit/auditLog";
import { mbps } from "../../../provider/audit/auditRecord";
import { check, create, type RemoteFileInputs } from "../../../provider/handlers/remoteFile";
import {
    create as createTree,
    type RemoteTreeInputs,
    type RemoteTreeOutputs,
    remove as removeTree,
} from "../../../provider/handlers/remoteTree";
import { resumableTemporaryFor } from "../../../provider/ops/temporaries";
import { checkedBy, createdBy, freshServer, remoteFileInputs, sha } from "../support/fixtures";
import { localTree } from "../support/localTree";
import { treeInputsOf } from "../support/treeInputs";

describe("audit log: resumed uploads and files already gone (memory transport)", function () {
    this.timeout(30_000);
    let dir: string;
    let log: string;
    const lines = () =>
        fs
            .readFileSync(log, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l));

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "filedrop-audit-"));
        log = path.join(dir, "audit.jsonl");
        configureAudit({ get: (k: string) => (k === "filedrop:auditLog" ? log : undefined) });
    });
    afterEach(function () {
        configureAudit(undefined);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a resumed upload: bytes is the file's size, bytesSent what this run sent, resumedFrom the kept prefix, mbps of the bytes sent", async function () {
        const f = freshServer();
        try {
            const data = randomBytes(2 << 20);
            const file = path.join(dir, "big.bin");
            fs.writeFileSync(file, data);
            const target = "/srv/big.bin";
            f.server.fs.mkdir("/srv");
            f.server.fs.writeFile(resumableTemporaryFor(target, sha(data)), data.subarray(0, 1_500_000), 0o600);
            const inputs: RemoteFileInputs = await checkedBy(check, {
                connection: f.connection,
                credentials: f.credentials,
                path: target,
                sourcePath: file,
                sha256: sha(data),
                size: data.length,
            });
            await audited("remoteFile", "create", [inputs], () => create(inputs));
            assert.ok(f.server.fs.readFile(target).equals(data));
            const [up] = lines();
            assert.deepStrictEqual(
                [up.operation, up.bytes, up.bytesSent, up.resumedFrom, up.outcome],
                ["upload", data.length, data.length - 1_500_000, 1_500_000, "ok"],
            );
            assert.strictEqual(up.mbps, mbps(data.length - 1_500_000, up.durationMs));
            const keys = Object.keys(up);
            assert.deepStrictEqual(keys.slice(keys.indexOf("bytes"), keys.indexOf("bytes") + 4), [
                "bytes",
                "bytesSent",
                "resumedFrom",
                "sha256",
            ]);
        } finally {
            await f.server.uninstall();
        }
    });

    it("a whole upload says bytesSent = bytes and resumedFrom 0", async function () {
        const f = freshServer();
        try {
            const content = "hello\n";
            const inputs: RemoteFileInputs = await checkedBy(check, remoteFileInputs(f, "/srv/hello.txt", content));
            await audited("remoteFile", "create", [inputs], () => create(inputs));
            const [up] = lines();
            assert.deepStrictEqual([up.bytes, up.bytesSent, up.resumedFrom], [6, 6, 0]);
        } finally {
            await f.server.uninstall();
        }
    });

    it("a tree destroy logs a file someone already deleted as gone, the others as ok", async function () {
        const f = freshServer();
        const src = localTree({ "index.html": "<h1>hi</h1>", "css/site.css": "body{}" });
        try {
            const inputs = await treeInputsOf(f, () => src.dir, "/var/www")();
            const { id, outs } = await createdBy<RemoteTreeInputs, RemoteTreeOutputs>(createTree, inputs);
            f.server.fs.unlink("/var/www/css/site.css"); // the partner deleted it
            await audited("remoteTree", "delete", [id, outs], () => removeTree(id, outs));
            const got = lines()
                .filter((l) => l.scope === "file")
                .map((l) => [l.remotePath, l.outcome]);
            assert.deepStrictEqual(got, [
                ["/var/www/css/site.css", "gone"],
                ["/var/www/index.html", "ok"],
            ]);
        } finally {
            src.remove();
            await f.server.uninstall();
        }
    });
});
