/** The tree every whole-command bench uploads: 10 folders × 100 files of 4 KiB, and the edit made between two ups. */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Writes `n` random files of 4 KiB in `dir`, 100 per folder: `d0/f0.bin` … `d{n/100-1}/f99.bin`. */
export function makeTree(dir: string, n = 1000): void {
    for (let d = 0; d * 100 < n; d++) {
        fs.mkdirSync(path.join(dir, `d${d}`), { recursive: true });
        for (let f = 0; f < 100 && d * 100 + f < n; f++) {
            fs.writeFileSync(path.join(dir, `d${d}`, `f${f}.bin`), randomBytes(4096));
        }
    }
}

/** 3 edits, 2 adds, 1 delete in a tree made by makeTree. */
export function editTree(dir: string): void {
    for (const f of ["d0/f0.bin", "d4/f50.bin", "d9/f99.bin", "d1/new1.bin", "d7/new2.bin"]) {
        fs.writeFileSync(path.join(dir, f), randomBytes(4096));
    }
    fs.rmSync(path.join(dir, "d3/f10.bin"));
}

/**
 * 10 edits (same size, new bytes), 2 adds and 1 delete spread over a tree of `n` files made by makeTree (issue 22).
 * `round` makes each call touch other files, so that a second call is again a change.
 */
export function editTreeScale(dir: string, n: number, round = 0): void {
    const folders = Math.ceil(n / 100);
    const at = (i: number) => `d${(i * 7 + round) % folders}/f${(i * 13 + round * 3) % 100}.bin`;
    for (let i = 0; i < 10; i++) {
        fs.writeFileSync(path.join(dir, at(i)), randomBytes(4096));
    }
    for (let i = 0; i < 2; i++) {
        fs.writeFileSync(path.join(dir, `d${(i * 5 + round) % folders}`, `new${round}-${i}.bin`), randomBytes(4096));
    }
    fs.rmSync(path.join(dir, `d${(round + 3) % folders}/f${(round * 3 + 11) % 100}.bin`), { force: true });
}
