/** FTP reply parsing, with replies recorded from vsftpd 3.0.3 and ProFTPD 1.3.8. */
import * as assert from "node:assert";
import {
    hashAlgorithms,
    modeFromPermissions,
    parseDigestReply,
    parseFtpTime,
    parseLsListing,
    parseMlstReply,
    statFromStatListing,
} from "../../../../provider/transport/ftp/ftpReplies";

const VSFTPD_DIR = `213-Status follows:
drwxr-xr-x    2 1001     1001         4096 Nov 23 13:06 .
drwxrwxrwx    4 0        0            4096 Nov 23 13:06 ..
-rw-------    1 1001     1001           12 Nov 23 13:06 .a file
lrwxrwxrwx    1 1001     1001            6 Nov 23 13:06 link -> target
-rw-r--r--    1 1001     1001            4 Nov 23  2025 target
213 End of status`;

describe("ftpReplies", function () {
    it("parses RFC 3659 times as UTC seconds", function () {
        assert.strictEqual(parseFtpTime("20261123130643"), Date.UTC(2026, 10, 23, 13, 6, 43) / 1000);
        assert.strictEqual(parseFtpTime("20261123130643.123"), Date.UTC(2026, 10, 23, 13, 6, 43) / 1000);
        assert.strictEqual(parseFtpTime("yesterday"), undefined);
    });

    it("parses MLST facts for files and folders (ProFTPD)", function () {
        const file = parseMlstReply(
            "250-Start of list for /tmp/a file\n modify=20261123131131;size=12;type=file;unique=FE00U99E8DA;UNIX.group=1001;UNIX.groupname=filedrop;UNIX.mode=0600;UNIX.owner=1001;UNIX.ownername=filedrop; /tmp/a file\n250 End of list",
        );
        assert.deepStrictEqual(file, {
            kind: "file",
            size: 12,
            mode: 0o600,
            mtime: Date.UTC(2026, 10, 23, 13, 11, 31) / 1000,
            uid: 1001,
            gid: 1001,
        });
        const dir = parseMlstReply(
            "250-Start of list for /tmp\n modify=20261123131131;type=dir;UNIX.mode=0755; /tmp\n250 End of list",
        );
        assert.strictEqual(dir?.kind, "directory");
        assert.strictEqual(dir?.mode, 0o755);
        assert.strictEqual(parseMlstReply("250 End of list"), undefined);
    });

    it("turns ls permission strings into mode bits, special bits included", function () {
        assert.strictEqual(modeFromPermissions("rw-r-----"), 0o640);
        assert.strictEqual(modeFromPermissions("rwsr-sr-t"), 0o7755);
        assert.strictEqual(modeFromPermissions("rwSr-Sr-T"), 0o7644);
    });

    it("parses ls -l listings, names with spaces and symlinks", function () {
        const entries = parseLsListing(VSFTPD_DIR);
        assert.deepStrictEqual(
            entries.map((e) => [e.name, e.stat.kind, e.stat.size, e.stat.mode]),
            [
                [".", "directory", 4096, 0o755],
                ["..", "directory", 4096, 0o777],
                [".a file", "file", 12, 0o600],
                ["link", "symlink", 6, 0o777],
                ["target", "file", 4, 0o644],
            ],
        );
        assert.strictEqual(entries[2].stat.uid, 1001);
    });

    it("stats from STAT -a: a folder by its '.', a file by its name (vsftpd) or path (ProFTPD), else nothing", function () {
        assert.strictEqual(statFromStatListing(VSFTPD_DIR, "/tmp/d")?.kind, "directory");
        assert.strictEqual(statFromStatListing(VSFTPD_DIR, "/tmp/d")?.mode, 0o755);
        const vsFile =
            "213-Status follows:\n-rw-------    1 1001     1001           12 Nov 23 13:06 .a file\n213 End of status";
        assert.deepStrictEqual(statFromStatListing(vsFile, "/tmp/d/.a file"), {
            kind: "file",
            size: 12,
            mode: 0o600,
            uid: 1001,
            gid: 1001,
        });
        const proFile =
            "213-Status of /tmp/x y:\n -rw-------   1 filedrop filedrop       12 Nov 23 13:11 /tmp/x y\n213 End of status";
        assert.strictEqual(statFromStatListing(proFile, "/tmp/x y")?.size, 12);
        assert.strictEqual(statFromStatListing("213-Status follows:\n213 End of status", "/tmp/none"), undefined);
    });

    it("reads SHA-256 digests from HASH and XSHA256 replies", function () {
        const hex = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";
        assert.strictEqual(parseDigestReply(`213-Computing SHA-256 digest\n213 SHA-256 0-12 ${hex} /tmp/a file`), hex);
        assert.strictEqual(parseDigestReply(`250 ${hex.toUpperCase()}`), hex);
        assert.strictEqual(parseDigestReply("213 SHA-256 0-0 nothing"), undefined);
    });

    it("lists FEAT HASH algorithms without the selection marker", function () {
        assert.deepStrictEqual(hashAlgorithms("CRC32;MD5;SHA-1;SHA-256*;SHA-512;"), [
            "CRC32",
            "MD5",
            "SHA-1",
            "SHA-256",
            "SHA-512",
        ]);
        assert.deepStrictEqual(hashAlgorithms(undefined), []);
    });
});
