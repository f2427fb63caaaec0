/** A fault a real transport can show in the integration tests: bytes altered on the way to the server. */
import type { Readable } from "node:stream";
import { Transform } from "node:stream";
import type { Transport } from "../../provider/transport/types";

/** A transport whose uploads reach the server with their first byte flipped (a broken proxy or disk). */
export function corrupting(t: Transport): Transport {
    return Object.create(t, {
        write: {
            value: (p: string, data: Readable, mode?: number) => {
                let first = true;
                const flip = new Transform({
                    transform(chunk: Buffer, _e, cb) {
                        if (first && chunk.length > 0) {
                            chunk = Buffer.from(chunk);
                            chunk[0] ^= 0xff;
                            first = false;
                        }
                        cb(null, chunk);
                    },
                });
                return t.write(p, data.pipe(flip), mode);
            },
        },
    });
}
