import * as assert from "node:assert";
import { refuseImportOption } from "../../../sdk/importOption";

describe("sdk: the `import` resource option", function () {
    it("is refused in one sentence that points to the plugin's `pulumi import`", function () {
        assert.throws(
            () => refuseImportOption("RemoteFile", "conf", { import: "sftp://u@h:22/etc/a" }),
            (e: Error & { code?: string }) =>
                e.code === "UNSUPPORTED" &&
                e.message.includes("pulumi import filedrop:index:RemoteFile conf <id>") &&
                !e.message.includes("\n"),
        );
        refuseImportOption("RemoteFile", "conf", {});
        refuseImportOption("RemoteFile", "conf", undefined);
    });
});
