/** The tree every whole-command bench uploads: 10 folders × 100 files of 4 KiB, and the edit made between two ups. */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Writes 1000 random files of 4 KiB in `dir`: `d0/f0.bin` … `d9/f99.bin`. */
export function makeTree(dir: string): void {
    for (let d = 0; d < 10; d++) {
        fs.mkdirSync(path.join(dir, `d${d}`), { recursive: true });
        for (let f = 0; f < 100; f++) {
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
