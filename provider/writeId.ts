/**
 * The `writeId` output (issue 19 item 7): a new random value each time the stack changes a file on the server, for
 * a reload's `triggers`. `sha256` cannot serve: after `up --refresh` repairs a hand edit it is back to the value the
 * reload last saw, so the reload would not run and the service would keep the hand edit loaded.
 */
import { randomBytes } from "node:crypto";

/** A fresh write id: 16 hex digits. */
export function newWriteId(): string {
    return randomBytes(8).toString("hex");
}
