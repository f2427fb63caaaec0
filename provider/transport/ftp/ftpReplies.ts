/**
 * Parsing of FTP server replies into the transport's types: MLST facts (RFC 3659), `ls -l` lines (STAT and LIST
 * on servers without MLST, such as vsftpd), MDTM times and HASH/XSHA256 digests. Pure functions, no network.
 */
import * as posix from "node:path/posix";
import type { RemoteStat } from "../types";

/** Seconds since the epoch from an RFC 3659 time value (`YYYYMMDDHHMMSS[.sss]`, UTC), or undefined. */
export function parseFtpTime(value: string): number | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?$/.exec(value.trim());
    if (!m) {
        return undefined;
    }
    const [, y, mo, d, h, mi, s] = m.map(Number);
    return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

/** The stat of an MLST reply's facts line (`size=12;type=file;UNIX.mode=0644; /path`), or undefined. */
export function parseMlstReply(message: string): RemoteStat | undefined {
    // The facts line is the one starting with a space (RFC 3659 §7.2); servers vary in the surrounding lines.
    const line = message.split("\n").find((l) => l.startsWith(" ") && l.includes("="));
    if (!line) {
        return undefined;
    }
    const facts = new Map<string, string>();
    for (const part of line.trim().split(" ")[0].split(";")) {
        const eq = part.indexOf("=");
        if (eq > 0) {
            facts.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
        }
    }
    const type = (facts.get("type") ?? "").toLowerCase();
    const kind =
        type === "file"
            ? "file"
            : ["dir", "cdir", "pdir"].includes(type)
              ? "directory"
              : type.includes("symlink")
                ? "symlink"
                : "other";
    const mode = facts.get("unix.mode");
    const owner = facts.get("unix.owner");
    const group = facts.get("unix.group");
    return {
        kind,
        size: Number(facts.get("size") ?? 0),
        mode: mode !== undefined && /^[0-7]+$/.test(mode) ? parseInt(mode, 8) & 0o7777 : undefined,
        mtime: facts.has("modify") ? parseFtpTime(facts.get("modify")!) : undefined,
        uid: owner !== undefined && /^\d+$/.test(owner) ? Number(owner) : undefined,
        gid: group !== undefined && /^\d+$/.test(group) ? Number(group) : undefined,
    };
}

/** Permission bits of an `ls -l` mode string such as `rwsr-x--T` (the 9 characters after the type). */
export function modeFromPermissions(p: string): number {
    let mode = 0;
    const bit = (i: number, v: number) => (p[i] !== "-" && p[i] !== "S" && p[i] !== "T" ? v : 0);
    mode |= bit(0, 0o400) | bit(1, 0o200) | bit(2, 0o100);
    mode |= bit(3, 0o040) | bit(4, 0o020) | bit(5, 0o010);
    mode |= bit(6, 0o004) | bit(7, 0o002) | bit(8, 0o001);
    if ("sS".includes(p[2])) mode |= 0o4000;
    if ("sS".includes(p[5])) mode |= 0o2000;
    if ("tT".includes(p[8])) mode |= 0o1000;
    return mode;
}

/** One entry of an `ls -l` style listing. */
export interface ListingEntry {
    readonly name: string;
    readonly stat: RemoteStat;
}

const LS_LINE =
    /^([-dlbcps])([-rwxsStT]{9})[.+@]?\s+\d+\s+(\S+)\s+(\S+)\s+(\d+)\s+([A-Za-z]{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4}))\s(.*)$/;

/** Entries of an `ls -l` listing (as vsftpd's `STAT -a` or LIST sends it); unparseable lines are skipped. */
export function parseLsListing(text: string): ListingEntry[] {
    const out: ListingEntry[] = [];
    for (const raw of text.split(/\r?\n/)) {
        const m = LS_LINE.exec(raw.trim());
        if (!m) {
            continue;
        }
        const [, type, perms, owner, group, size, , rest] = m;
        const kind = type === "-" ? "file" : type === "d" ? "directory" : type === "l" ? "symlink" : "other";
        const name = kind === "symlink" ? rest.split(" -> ")[0] : rest;
        out.push({
            name,
            stat: {
                kind,
                size: Number(size),
                mode: modeFromPermissions(perms),
                uid: /^\d+$/.test(owner) ? Number(owner) : undefined,
                gid: /^\d+$/.test(group) ? Number(group) : undefined,
            },
        });
    }
    return out;
}

/**
 * The stat of `path` from the reply to `STAT -a <path>`: a directory lists itself as `.`, a file as one line
 * named by its base name (vsftpd) or full path (ProFTPD); nothing at all means the path does not exist.
 */
export function statFromStatListing(message: string, path: string): RemoteStat | undefined {
    const entries = parseLsListing(message);
    const self = entries.find((e) => e.name === ".");
    if (self) {
        return { ...self.stat, kind: "directory" };
    }
    const base = posix.basename(path);
    return entries.find((e) => e.name === base || e.name === path)?.stat;
}

/** The hex SHA-256 in a reply to `HASH` (`213 SHA-256 0-12 <hex> <path>`) or `XSHA256` (`250 <hex>`). */
export function parseDigestReply(message: string): string | undefined {
    const last = message.trim().split("\n").pop() ?? "";
    return /(?:^|\s)([0-9a-fA-F]{64})(?:\s|$)/.exec(last)?.[1].toLowerCase();
}

/** The algorithms of a FEAT `HASH` line value (`SHA-1;SHA-256*;MD5`), upper case, without the `*` marker. */
export function hashAlgorithms(featValue: string | undefined): string[] {
    return (featValue ?? "")
        .split(";")
        .map((a) => a.trim().replace(/\*$/, "").toUpperCase())
        .filter((a) => a !== "");
}
