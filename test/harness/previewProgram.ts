/**
 * The program of the preview tests (issue 11), as a user writes it: one of each resource, with sources given by
 * paths relative to the project's folder. It reads settings.json beside it; a connection without `privateKey` is
 * a job without the deploy key; `secretSource: false` leaves out the secret source file (which releases before
 * issue 11 refused).
 */
export const previewProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { RemoteDirectory, RemoteFile, RemoteTree } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const conn = { ...s.connection };
for (const k of ["password", "privateKey", "privateKeyPassword"]) {
    if (conn[k] !== undefined) conn[k] = pulumi.secret(conn[k]);
}
new RemoteDirectory("logs", { connection: conn, path: s.dest + "/logs" });
new RemoteTree("site", { connection: conn, source: "src/site", destination: s.dest + "/site" });
new RemoteFile("conf", { connection: conn, path: s.dest + "/app.conf", source: "src/app.conf" });
new RemoteFile("logo", { connection: conn, path: s.dest + "/logo.bin", source: "src/logo.bin" });
new RemoteFile("token", { connection: conn, path: s.dest + "/token", content: pulumi.secret(s.token) });
if (s.secretSource !== false) {
    new RemoteFile("env", { connection: conn, path: s.dest + "/app.env", source: pulumi.secret("src/app.env") });
}
`;

/** The lines of one resource's block in a `pulumi preview --diff` output (header included), by resource name. */
export function resourceBlock(output: string, name: string): string[] {
    const lines = output.split("\n");
    const urn = lines.findIndex((l) => /\[urn=urn:pulumi:[^\]]*::/.test(l) && l.trimEnd().endsWith(`::${name}]`));
    if (urn < 0) {
        return [];
    }
    let start = urn;
    while (start > 0 && !/^\s{4}\S.*\((update|create|delete|replace|same|create-replacement)\)/.test(lines[start])) {
        start--;
    }
    let end = urn + 1;
    while (end < lines.length && /^\s{6,}\S|^\s{6,}$/.test(lines[end]) && lines[end].trim() !== "") {
        end++;
    }
    return lines.slice(start, end);
}
