/**
 * Test programs for RemoteDirectory and RemoteTree, as users write them: plain JavaScript requiring the installed
 * `pulumi-filedrop`, reading settings.json beside it for the desired state.
 */

/** Declares settings.dirs as RemoteDirectory and settings.trees as RemoteTree resources. */
export const dirsAndTreesProgram = `
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { RemoteDirectory, RemoteTree } = require("pulumi-filedrop");
const s = JSON.parse(fs.readFileSync(path.join(__dirname, "settings.json"), "utf8"));
const conn = { ...s.connection };
for (const k of ["password", "privateKey", "privateKeyPassword"]) {
    if (conn[k] !== undefined) conn[k] = pulumi.secret(conn[k]);
}
const out = {};
for (const d of s.dirs || []) {
    const r = new RemoteDirectory(d.name, { connection: conn, path: d.path, mode: d.mode, createParents: d.createParents, onDelete: d.onDelete });
    out[d.name] = { createdDirs: r.createdDirs, present: r.present, mode: r.mode };
}
for (const t of s.trees || []) {
    const r = new RemoteTree(t.name, {
        connection: conn, source: t.source, destination: t.destination,
        include: t.include, exclude: t.exclude, modes: t.modes, prune: t.prune,
    });
    out[t.name] = { lastChanges: r.lastChanges, drift: r.drift };
}
module.exports = out;
`;
