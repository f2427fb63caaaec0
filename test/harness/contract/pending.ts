/**
 * Contract tests that assert the correct behaviour but fail today because of a known provider bug. They are kept
 * out of the default run, visibly (mocha lists them as pending, with the reason in the title), until the bug is
 * fixed; `FILEDROP_RUN_PENDING=1` runs them. Remove an entry together with the fix that makes it pass.
 */

const DATA_LOSS =
    "issue 8 item 3: the rename fallback deletes the target first (DELE/remove, then rename); when the rename is refused too, the target is gone while the error says it was left untouched";
const NO_DISK_FULL_HINT =
    "the FTPS transport reports a STOR refused for lack of space (451) without the disk-full hint SFTP gives; target and temporaries are already checked before this assertion and pass";
const CAPABILITY_LEARNT_LATE =
    "issue 8 item 3: the FTPS transport declares atomicOverwrite true and learns otherwise only from a refused RNTO; the capability should be known up front";

/** Full test title ("<subject> <test>") → why it fails today. */
export const PENDING: Readonly<Record<string, string>> = {
    "sftp (OpenSSH) with internal-sftp -P rename,posix-rename: an upload over an existing file never loses it, and leaves no temporary": DATA_LOSS,
    "ftps explicit (vsftpd) with vsftpd cmds_denied=RNFR,RNTO: an upload over an existing file never loses it, and leaves no temporary": DATA_LOSS,
    "ftps implicit (vsftpd) with vsftpd cmds_denied=RNFR,RNTO: an upload over an existing file never loses it, and leaves no temporary": DATA_LOSS,
    "ftps explicit (ProFTPD) with ProFTPD <Limit RNFR RNTO> DenyAll: an upload over an existing file never loses it, and leaves no temporary": DATA_LOSS,
    "ftps explicit (ProFTPD) with ProFTPD AllowOverwrite off: declares atomicOverwrite false before the first rename": CAPABILITY_LEARNT_LATE,
    "ftps explicit (vsftpd) a full disk fails with REMOTE_IO and the disk-full hint, keeps the old target, leaves no temporary": NO_DISK_FULL_HINT,
    "ftps implicit (vsftpd) a full disk fails with REMOTE_IO and the disk-full hint, keeps the old target, leaves no temporary": NO_DISK_FULL_HINT,
    "ftps explicit (ProFTPD) a full disk fails with REMOTE_IO and the disk-full hint, keeps the old target, leaves no temporary": NO_DISK_FULL_HINT,
};

/** Titles of the contract tests declared in this run, to catch a stale PENDING entry. */
export const declared = new Set<string>();

/** `it`, or `it.skip` with the reason in the title for a pending test (never silent). */
export function contractIt(subject: string, title: string, fn: Mocha.AsyncFunc): void {
    declared.add(`${subject} ${title}`);
    const reason = PENDING[`${subject} ${title}`];
    if (reason !== undefined && process.env.FILEDROP_RUN_PENDING === undefined) {
        it.skip(`${title} — PENDING: ${reason}`, fn);
    } else {
        it(title, fn);
    }
}
