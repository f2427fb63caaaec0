/**
 * An in-memory POSIX-like file system for the memory transport: files, folders and symlinks with mode, owner and
 * time, and an optional capacity (bytes of file content in all). Plain data and direct helpers for tests to seed
 * and inspect a "server" (`writeFile`, `readFile`, `symlink`, `tree`, `chown`), which act as root would.
 *
 * Owners as Linux gives them to what the login user (`uid`, `gid`, `groups`) creates and changes: a new file or
 * folder gets the login user's group, or its folder's group when that folder is setgid (a new folder then is
 * setgid too); `chownAsLogin` allows what chown(2) allows (root anything; another user only its own files, to its
 * own uid and to a group it is in) and clears the setuid and setgid bits of a file, as Linux does.
 */
import * as posix from "node:path/posix";

export type Node =
    | { kind: "file"; data: Buffer; mode: number; mtime: number; uid: number; gid: number }
    | { kind: "directory"; mode: number; mtime: number; uid: number; gid: number }
    | { kind: "symlink"; target: string; mode: number; mtime: number; uid: number; gid: number };

/** A failure the file system itself reports (the transport turns it into a FiledropError). */
export class FsError extends Error {
    constructor(
        public readonly errno: "ENOENT" | "EEXIST" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "ENOSPC" | "EACCES" | "EPERM",
        message: string,
    ) {
        super(`${errno}: ${message}`);
    }
}

const now = () => Math.floor(Date.now() / 1000);

export class MemoryFs {
    readonly nodes = new Map<string, Node>([["/", { kind: "directory", mode: 0o755, mtime: now(), uid: 0, gid: 0 }]]);
    /** Bytes of file content the disk holds at most; undefined for no limit. */
    capacity?: number;
    /** The login user: owner of what the transport creates (0: root, or `sudo` on the connection). */
    uid = 1000;
    /** The login user's own group: the group of what it creates, except in a setgid folder. */
    gid = 1000;
    /** The login user's other groups (it may give its files those). */
    groups: number[] = [];

    /** Bytes of file content stored. */
    used(): number {
        let n = 0;
        for (const node of this.nodes.values()) {
            n += node.kind === "file" ? node.data.length : 0;
        }
        return n;
    }

    /** The node at `p` without following a final symlink. */
    lstat(p: string): Node | undefined {
        return this.nodes.get(p);
    }

    /** `p` with a final symlink followed (up to 8 levels), or `p` itself. */
    resolve(p: string): string {
        let cur = p;
        for (let i = 0; i < 8; i++) {
            const n = this.nodes.get(cur);
            if (n?.kind !== "symlink") {
                return cur;
            }
            cur = posix.resolve(posix.dirname(cur), n.target);
        }
        return cur;
    }

    children(dir: string): string[] {
        const prefix = dir === "/" ? "/" : `${dir}/`;
        return [...this.nodes.keys()]
            .filter((k) => k !== dir && k.startsWith(prefix) && !k.slice(prefix.length).includes("/"))
            .sort();
    }

    private parentMustBeFolder(p: string): void {
        const parent = this.nodes.get(this.resolve(posix.dirname(p)));
        if (!parent) {
            throw new FsError("ENOENT", `${posix.dirname(p)} does not exist`);
        }
        if (parent.kind !== "directory") {
            throw new FsError("ENOTDIR", `${posix.dirname(p)} is not a directory`);
        }
    }

    mkdir(p: string, mode = 0o755): void {
        if (this.nodes.has(p)) {
            throw new FsError("EEXIST", `${p} exists`);
        }
        this.parentMustBeFolder(p);
        const { gid, setgid } = this.newOwnerIn(p);
        this.nodes.set(p, {
            kind: "directory",
            mode: (mode & 0o7777) | (setgid ? 0o2000 : 0),
            mtime: now(),
            uid: this.uid,
            gid,
        });
    }

    /** The group a new node at `p` gets: its folder's when that folder is setgid (Linux), else the login user's. */
    private newOwnerIn(p: string): { gid: number; setgid: boolean } {
        const parent = this.nodes.get(this.resolve(posix.dirname(p)));
        const setgid = parent?.kind === "directory" && (parent.mode & 0o2000) !== 0;
        return { gid: setgid ? parent.gid : this.gid, setgid };
    }

    rmdir(p: string): void {
        const n = this.nodes.get(p);
        if (!n) {
            throw new FsError("ENOENT", `${p} does not exist`);
        }
        if (n.kind !== "directory") {
            throw new FsError("ENOTDIR", `${p} is not a directory`);
        }
        if (this.children(p).length > 0) {
            throw new FsError("ENOTEMPTY", `${p} is not empty`);
        }
        this.nodes.delete(p);
    }

    unlink(p: string): void {
        const n = this.nodes.get(p);
        if (n?.kind === "directory") {
            throw new FsError("EISDIR", `${p} is a directory`);
        }
        if (!n) {
            throw new FsError("ENOENT", `${p} does not exist`);
        }
        this.nodes.delete(p);
    }

    /** Opens `p` for writing like open(O_CREAT|O_TRUNC): follows a symlink, keeps an existing file's mode. */
    truncate(p: string, mode = 0o644): string {
        const real = this.resolve(p);
        const n = this.nodes.get(real);
        if (n?.kind === "directory") {
            throw new FsError("EISDIR", `${p} is a directory`);
        }
        this.parentMustBeFolder(real);
        this.nodes.set(
            real,
            n?.kind === "file"
                ? { ...n, data: Buffer.alloc(0), mtime: now() }
                : {
                      kind: "file",
                      data: Buffer.alloc(0),
                      mode: mode & 0o7777,
                      mtime: now(),
                      uid: this.uid,
                      gid: this.newOwnerIn(real).gid,
                  },
        );
        return real;
    }

    /** Appends to a file opened by `truncate`; fails with ENOSPC past the capacity, after writing what fits. */
    append(real: string, chunk: Buffer): void {
        const n = this.nodes.get(real);
        if (n?.kind !== "file") {
            throw new FsError("ENOENT", `${real} is gone`);
        }
        const room = this.capacity === undefined ? chunk.length : Math.max(0, this.capacity - this.used());
        n.data = Buffer.concat([n.data, chunk.subarray(0, Math.min(room, chunk.length))]);
        n.mtime = now();
        if (room < chunk.length) {
            throw new FsError("ENOSPC", "no space left on device");
        }
    }

    readFile(p: string): Buffer {
        const n = this.nodes.get(this.resolve(p));
        if (!n) {
            throw new FsError("ENOENT", `${p} does not exist`);
        }
        if (n.kind !== "file") {
            throw new FsError("EISDIR", `${p} is not a file`);
        }
        return n.data;
    }

    /** rename(2): replaces a file or symlink at `to` (never follows it); refuses a folder there. */
    rename(from: string, to: string): void {
        const n = this.nodes.get(from);
        if (!n) {
            throw new FsError("ENOENT", `${from} does not exist`);
        }
        this.parentMustBeFolder(to);
        if (this.nodes.get(to)?.kind === "directory") {
            throw new FsError("EISDIR", `${to} is a directory`);
        }
        const moved = [...this.nodes.entries()].filter(([k]) => k === from || k.startsWith(`${from}/`));
        for (const [k] of moved) {
            this.nodes.delete(k);
        }
        for (const [k, v] of moved) {
            this.nodes.set(to + k.slice(from.length), v);
        }
    }

    /** Sets bits on what `p` points to (chmod follows symlinks). */
    chmod(p: string, mode: number): void {
        const n = this.nodes.get(this.resolve(p));
        if (!n) {
            throw new FsError("ENOENT", `${p} does not exist`);
        }
        n.mode = mode & 0o7777;
    }

    /** Sets owner and group (-1: unchanged) as root would, without clearing any bit: for seeding. */
    chown(p: string, uid: number, gid: number): void {
        const n = this.nodes.get(this.resolve(p));
        if (!n) {
            throw new FsError("ENOENT", `${p} does not exist`);
        }
        n.uid = uid === -1 ? n.uid : uid;
        n.gid = gid === -1 ? n.gid : gid;
    }

    /** chown(2) by the login user: EPERM where Linux refuses; on a file, clears setuid and setgid as Linux does. */
    chownAsLogin(p: string, uid: number, gid: number): void {
        const n = this.nodes.get(this.resolve(p));
        if (!n) {
            throw new FsError("ENOENT", `${p} does not exist`);
        }
        const inGroup = gid === -1 || gid === n.gid || gid === this.gid || this.groups.includes(gid);
        if (this.uid !== 0 && (n.uid !== this.uid || (uid !== -1 && uid !== n.uid) || !inGroup)) {
            throw new FsError("EPERM", `chown ${p} to ${uid}:${gid}: operation not permitted`);
        }
        this.chown(p, uid, gid);
        if (n.kind === "file" && (uid !== -1 || gid !== -1)) {
            n.mode &= ~0o6000;
        }
    }

    // Helpers for tests: seed and inspect the server directly, around the transport.

    /** Writes a file (making its folders), as someone on the server would. */
    writeFile(p: string, data: string | Buffer, mode = 0o644): void {
        this.mkdirp(posix.dirname(p));
        this.nodes.set(p, { kind: "file", data: Buffer.from(data), mode, mtime: now(), uid: this.uid, gid: this.gid });
    }

    /** Makes a symlink at `p` pointing to `target`. */
    symlink(target: string, p: string): void {
        this.mkdirp(posix.dirname(p));
        this.nodes.set(p, { kind: "symlink", target, mode: 0o777, mtime: now(), uid: this.uid, gid: this.gid });
    }

    mkdirp(p: string): void {
        if (p === "/" || this.nodes.has(p)) {
            return;
        }
        this.mkdirp(posix.dirname(p));
        this.mkdir(p);
    }

    /** Every path below `dir` (relative, sorted), folders with a trailing "/": a picture of the server for asserts. */
    tree(dir = "/"): string[] {
        const prefix = dir === "/" ? "/" : `${dir}/`;
        return [...this.nodes.entries()]
            .filter(([k]) => k !== dir && k.startsWith(prefix))
            .map(([k, n]) => k.slice(prefix.length) + (n.kind === "directory" ? "/" : ""))
            .sort();
    }

    /** The text of a file. */
    text(p: string): string {
        return this.readFile(p).toString();
    }
}
