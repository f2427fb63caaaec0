/**
 * A test program with every kind of transfer: settings.files as RemoteFile, settings.trees as RemoteTree and
 * settings.downloads as RemoteDownload, each entry with its own connection (secret fields wrapped as users do).
 * Each download's content, sha256 and verifiedBy are stack outputs.
 */
export const transfersProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { RemoteFile, RemoteTree, RemoteDownload } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const conn = (c) => {
    const o = { ...c };
    for (const k of ["password", "privateKey", "privateKeyPassword"]) {
        if (o[k] !== undefined) o[k] = pulumi.secret(o[k]);
    }
    return o;
};
const out = {};
for (const f of s.files || []) {
    new RemoteFile(f.name, {
        connection: conn(f.connection), path: f.path, source: f.source,
        content: f.content === undefined ? undefined : f.secret ? pulumi.secret(f.content) : f.content,
    });
}
for (const t of s.trees || []) {
    new RemoteTree(t.name, { connection: conn(t.connection), source: t.source, destination: t.destination });
}
for (const d of s.downloads || []) {
    const r = new RemoteDownload(d.name, {
        connection: conn(d.connection), path: d.path, maxSize: d.maxSize, encoding: d.encoding, secret: d.secret,
    });
    out[d.name] = { content: r.content, sha256: r.sha256, verifiedBy: r.verifiedBy };
}
module.exports = out;
`;
