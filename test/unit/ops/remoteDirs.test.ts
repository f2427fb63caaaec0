import * as assert from "node:assert";
import * as posix from "node:path/posix";
import { hasCode } from "../../../provider/errors";
import { ensureDirs, foldersToRetry, removeEmptyDirs, removeRecursive } from "../../../provider/ops/remoteDirs";
import { isAncestorOrSelf } from "../../../provider/remotePaths";
import type { Transport } from "../../../provider/transport/types";
import { freshServer, onServer } from "../support/fixtures";
import type { MemoryServer } from "../support/memoryTransport";

/** A server in memory: just enough of Transport for removeEmptyDirs, each call answered after a random tick. */
function fakeServer(endpoint: string, dirs: string[], files: string[]) {
    const d = new Set(["/", ...dirs]);
    const f = new Set(files);
    const tick = () => new Promise<void>((r) => setTimeout(r, Math.random() * 3));
    const children = (p: string) => [...d, ...f].filter((x) => x !== p && posix.dirname(x) === p);
    const t = {
        endpoint,
        stat: async (p: string) => {
            await tick();
            return d.has(p) ? { kind: "directory", size: 0 } : f.has(p) ? { kind: "file", size: 1 } : undefined;
        },
        list: async (p: string) => {
            await tick();
            return children(p).map((name) => ({ name: posix.basename(name), stat: { kind: "file", size: 0 } }));
        },
        rmdir: async (p: string) => {
            await tick();
            if (!d.has(p) || children(p).length > 0) {
                throw new Error(`rmdir ${p} failed`);
            }
            d.delete(p);
        },
        remove: async (p: string) => {
            await tick();
            f.delete(p);
        },
    } as unknown as Transport;
    return { t, dirs: d, files: f };
}

describe("remoteDirs", () => {
    it("isAncestorOrSelf compares whole segments", () => {
        assert.ok(isAncestorOrSelf("/a", "/a/b"));
        assert.ok(isAncestorOrSelf("/a", "/a"));
        assert.ok(isAncestorOrSelf("/", "/a"));
        assert.ok(!isAncestorOrSelf("/a", "/ab/c"));
        assert.ok(!isAncestorOrSelf("/a/b", "/a"));
    });

    it("foldersToRetry: own folders and recorded ones on the freed path's line, innermost first, nothing else", () => {
        const recorded = ["/srv", "/srv/app", "/srv/other", "/srv/app/conf/deep", "/x"];
        assert.deepStrictEqual(foldersToRetry(["/srv/app/conf"], recorded, "/srv/app/conf/a.txt"), [
            "/srv/app/conf",
            "/srv/app",
            "/srv",
        ]);
        assert.deepStrictEqual(foldersToRetry([], recorded, "/srv/app"), ["/srv/app/conf/deep", "/srv/app", "/srv"]);
        assert.deepStrictEqual(foldersToRetry([], recorded, "/y/z"), []);
        assert.deepStrictEqual(foldersToRetry(["/a/b", "/a"], [], undefined), ["/a/b", "/a"]);
    });

    it("the creator deleted first: the last sibling to go removes the shared folders; a folder nobody created stays", async () => {
        for (let round = 0; round < 50; round++) {
            const ep = `sftp://u@h:${round}`;
            // /keep existed before; /keep/a and /keep/a/b were created by resource 0; the others only put files in.
            const files = Array.from({ length: 10 }, (_, i) => `/keep/a/b/f${i}`);
            const s = fakeServer(ep, ["/keep", "/keep/a", "/keep/a/b"], files);
            await Promise.all(
                files.map(async (p, i) => {
                    await s.t.remove(p);
                    await removeEmptyDirs(s.t, i === 0 ? ["/keep/a", "/keep/a/b"] : [], p);
                }),
            );
            assert.deepStrictEqual([...s.dirs].sort(), ["/", "/keep"], `round ${round}`);
        }
    });

    it("without a freed path (a failed upload's cleanup) nothing is recorded", async () => {
        const s = fakeServer("sftp://u@h:1000", ["/a", "/a/b"], ["/a/b/x", "/a/y"]);
        assert.deepStrictEqual(await removeEmptyDirs(s.t, ["/a", "/a/b"]), []);
        await s.t.remove("/a/b/x");
        await s.t.remove("/a/y");
        assert.deepStrictEqual(await removeEmptyDirs(s.t, [], "/a/y"), []);
        assert.ok(s.dirs.has("/a/b"));
    });
});

describe("remoteDirs on the memory transport", () => {
    let server: MemoryServer;
    let run: <T>(op: (t: Transport) => Promise<T>) => Promise<T>;
    beforeEach(() => {
        const f = freshServer();
        server = f.server;
        run = (op) => onServer(f.connection, op);
    });
    afterEach(() => server.uninstall());

    it("ensureDirs makes only the missing levels, outermost first, with the mode asked", async () => {
        server.fs.mkdirp("/srv");
        assert.deepStrictEqual(await run((t) => ensureDirs(t, "/srv/a/b", 0o750)), ["/srv/a", "/srv/a/b"]);
        assert.strictEqual(server.fs.lstat("/srv/a/b")?.mode, 0o750);
        assert.deepStrictEqual(await run((t) => ensureDirs(t, "/srv/a/b")), [], "nothing to make the second time");
    });

    it("ensureDirs refuses a file where a folder must be, naming it", async () => {
        server.fs.writeFile("/srv/a", "file");
        await assert.rejects(
            run((t) => ensureDirs(t, "/srv/a/b")),
            (e: Error) =>
                hasCode(e, "REMOTE_IO") &&
                /\/srv\/a exists and is not a directory; remove it or choose another path\./.test(e.message),
        );
    });

    it("ensureDirs treats a folder made meanwhile by someone else as not ours", async () => {
        server.failWhen(
            (c) => c.op === "mkdir" && c.path === "/x/y",
            () => {
                server.fs.mkdir("/x/y");
                return new Error("exists");
            },
        );
        assert.deepStrictEqual(await run((t) => ensureDirs(t, "/x/y/z")), ["/x", "/x/y/z"]);
    });

    it("removeRecursive removes a folder with everything below, removing symlinks without following them", async () => {
        server.fs.writeFile("/keep/precious", "keep me");
        server.fs.writeFile("/gone/a/b/file", "x");
        server.fs.symlink("/keep", "/gone/a/link");
        await run((t) => removeRecursive(t, "/gone"));
        assert.deepStrictEqual(server.fs.tree("/"), ["keep/", "keep/precious"]);
        await run((t) => removeRecursive(t, "/gone")); // already gone is fine
    });
});

describe("ops/remoteDirs: a symlink where a folder is wanted (memory transport)", function () {
    const STRANGER = 1002;
    let server: MemoryServer;
    let run: <T>(op: (t: Transport) => Promise<T>) => Promise<T>;

    beforeEach(function () {
        const f = freshServer();
        server = f.server;
        run = (op) => onServer(f.connection, op);
        server.fs.mkdir("/srv");
        server.fs.mkdir("/srv/www");
        server.fs.lstat("/srv/www")!.uid = 0; // a root-owned web root the deploy group may write to
        server.fs.mkdir("/etc");
        server.fs.lstat("/etc")!.uid = 0;
    });
    afterEach(() => server.uninstall());

    const linkAs = (uid: number, at: string, to: string) => {
        server.fs.symlink(to, at);
        server.fs.lstat(at)!.uid = uid;
    };

    it("refuses a link a neighbour planted at a folder name, following nothing", async function () {
        linkAs(STRANGER, "/srv/www/d2", "/etc");
        await assert.rejects(
            run((t) => ensureDirs(t, "/srv/www/d2")),
            (e: unknown) => {
                return (
                    hasCode(e, "REMOTE_IO") &&
                    /\/srv\/www\/d2 is a symlink owned by uid 1002 where a folder is wanted, made by neither root, the login user nor the owner of \/srv\/www; it was not followed/.test(
                        String(e),
                    )
                );
            },
        );
        assert.deepStrictEqual(server.fs.tree("/etc"), []);
    });

    it("follows a link made by root, by the login user, or by the owner of the folder holding it", async function () {
        linkAs(0, "/srv/www/byroot", "/etc");
        linkAs(server.fs.uid, "/srv/www/byme", "/etc");
        server.fs.mkdir("/srv/other");
        server.fs.lstat("/srv/other")!.uid = STRANGER;
        linkAs(STRANGER, "/srv/other/byowner", "/etc");
        for (const d of ["/srv/www/byroot", "/srv/www/byme", "/srv/other/byowner"]) {
            assert.deepStrictEqual(await run((t) => ensureDirs(t, d)), [], d);
        }
    });
});
