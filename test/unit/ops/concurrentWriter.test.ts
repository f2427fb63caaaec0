/**
 * Issue 19 item 3 on the memory transport: two writers of one path at once sweep each other's temporaries; the one
 * that finds its temporary gone says that another writer is at work, not a bare "no such file".
 */
import * as assert from "node:assert";
import { Readable } from "node:stream";
import { isFiledropError } from "../../../provider/errors";
import { verifiedUpload } from "../../../provider/ops/upload";
import { freshServer, onServer, sha } from "../support/fixtures";

describe("ops/upload: a concurrent writer of the same path (memory transport)", function () {
    for (const when of ["rename", "stat"] as const) {
        it(`a temporary swept by another writer before our ${when} is named as a concurrent writer`, async function () {
            const { server, connection } = freshServer();
            try {
                const path = "/srv/app.conf";
                const data = "ours\n";
                let swept = false;
                // The other writer's sweep (ops/temporaries.ts) removes our temporary at this moment.
                server.failWhen(
                    (c) => {
                        if (
                            !swept &&
                            c.op === when &&
                            /\.app\.conf\.filedrop-[0-9a-f]{12}$/.test(c.path) &&
                            server.fs.lstat(c.path)
                        ) {
                            swept = true;
                            server.fs.unlink(c.path);
                        }
                        return false;
                    },
                    () => new Error("unused"),
                );
                const failure = await onServer(connection, (t) =>
                    verifiedUpload(t, {
                        path,
                        open: () => Readable.from([Buffer.from(data)]),
                        expectedSha256: sha(data),
                        size: data.length,
                        createParents: true,
                    }),
                ).then(
                    () => undefined,
                    (e: unknown) => e,
                );
                assert.ok(swept, "the sweep ran");
                assert.ok(isFiledropError(failure), `a FiledropError; got ${String(failure)}`);
                assert.match(
                    failure.message,
                    /its temporary \/srv\/\.app\.conf\.filedrop-[0-9a-f]{12} disappeared while it ran.*Another writer is deploying the same path at the same time/,
                );
            } finally {
                await server.uninstall();
            }
        });
    }
});
