/**
 * Test programs, as users write them: plain JavaScript requiring the installed `pulumi-filedrop`. Each reads
 * settings.json beside it (written by the test) for the desired state.
 */

/** A program declaring one RemoteFile per entry of settings.files. */
export const remoteFilesProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { RemoteFile } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const out = {};
for (const f of s.files) {
    const conn = { ...s.connection, ...(f.connection || {}) };
    for (const k of ["password", "privateKey", "privateKeyPassword"]) {
        if (conn[k] !== undefined) conn[k] = pulumi.secret(conn[k]);
    }
    let content = f.content;
    if (content !== undefined && f.secret) content = pulumi.secret(content);
    let source = f.source;
    if (f.sourceAsset) source = new pulumi.asset.FileAsset(f.sourceAsset);
    if (f.stringAsset !== undefined) source = new pulumi.asset.StringAsset(f.stringAsset);
    if (source !== undefined && f.secret) source = pulumi.secret(source);
    // Given only when set, so a program of this shape also runs against releases that lack an argument.
    const optional = {};
    for (const k of ["validateInPlace", "checkTimeout"]) {
        if (f[k] !== undefined) optional[k] = f[k];
    }
    const r = new RemoteFile(f.name, {
        connection: conn, path: f.path, content, source,
        mode: f.mode, onDelete: f.onDelete, validate: f.validate, createParents: f.createParents, symlinks: f.symlinks,
        ...optional,
    });
    out[f.name] = { sha256: r.sha256, verifiedBy: r.verifiedBy, existedBefore: r.existedBefore, atomic: r.atomic };
}
module.exports = out;
`;
