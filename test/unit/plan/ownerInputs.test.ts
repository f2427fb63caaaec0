/** `owner`/`group` by name or number (issue 10 item 6): what check accepts and refuses. */
import * as assert from "node:assert";
import { ownerFailures, ownerRefProblem } from "../../../provider/plan/ownerInputs";

describe("owner and group inputs", function () {
    it("accepts user names and numbers, refuses what no server could have", function () {
        for (const ok of ["www-data", "nginx", "_apt", "svc.app", "machine$", 0, 33, "1000"]) {
            assert.strictEqual(ownerRefProblem(ok), undefined, String(ok));
        }
        for (const bad of ["", "has space", "a;rm -rf /", "-n", -1, 1.5, "x".repeat(40)]) {
            assert.match(ownerRefProblem(bad) ?? "", /must be a user/, String(bad));
        }
    });

    it("refuses owner with uid (and group with gid), and both on FTPS, one sentence each", function () {
        assert.deepStrictEqual(ownerFailures({ connection: { host: "h" }, owner: "www-data", group: 33 }), []);
        assert.deepStrictEqual(
            ownerFailures({ connection: { host: "h" }, owner: "a", uid: 1, group: "b", gid: 2 }).map((f) => f.property),
            ["owner", "group"],
        );
        const ftps = ownerFailures({ connection: { host: "h", protocol: "ftps" }, owner: "www-data" });
        assert.deepStrictEqual(
            ftps.map((f) => [f.property, f.reason]),
            [["owner", 'needs protocol "sftp" (FTP servers cannot change owners); remove it or switch protocol']],
        );
    });
});
