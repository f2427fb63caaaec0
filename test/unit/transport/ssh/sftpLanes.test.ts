/** Extra SFTP sessions for writes (sftpLanes.ts), with fake sessions and a fake channel budget. */
import * as assert from "node:assert";
import { EventEmitter } from "node:events";
import type { SFTPWrapper } from "ssh2";
import { SFTP_LANE_AFTER_WRITES, SFTP_WRITE_LANES } from "../../../../provider/defaults";
import { type LaneBudget, SftpLanes } from "../../../../provider/transport/ssh/sftpLanes";

/** A session that only closes. */
class FakeSession extends EventEmitter {
    ended = false;
    end(): void {
        this.ended = true;
        setImmediate(() => this.emit("close"));
    }
}

/** A budget without limit, whose `contended` the test sets. */
class FakeBudget implements LaneBudget {
    contended = false;
    held = 0;
    async hold<T>(use: () => Promise<T>): Promise<T> {
        this.held++;
        try {
            return await use();
        } finally {
            this.held--;
        }
    }
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !cond(); i++) {
        await tick(10);
    }
    assert.ok(cond(), "condition reached");
}

describe("transport/ssh/sftpLanes: writes on more SFTP sessions of one connection", function () {
    const main = new FakeSession() as unknown as SFTPWrapper;

    /** Runs `n` writes that last until `done` resolves; returns the sessions each used. */
    function busy(lanes: SftpLanes, n: number, done: Promise<void>): { used: SFTPWrapper[]; all: Promise<unknown> } {
        const used: SFTPWrapper[] = [];
        const all = Promise.all(
            Array.from({ length: n }, () =>
                lanes.run(async (s) => {
                    used.push(s);
                    await done;
                }),
            ),
        );
        return { used, all };
    }

    /** Lanes whose sessions open fine, each recorded in `opened`. */
    function opening(lost: () => void): { opened: FakeSession[]; budget: FakeBudget; lanes: SftpLanes } {
        const opened: FakeSession[] = [];
        const budget = new FakeBudget();
        const open = async () => {
            const s = new FakeSession();
            opened.push(s);
            return s as unknown as SFTPWrapper;
        };
        return { opened, budget, lanes: new SftpLanes(main, open, budget, lost) };
    }

    it("a few writes stay on the first session; many open more, up to the limit, and they close when idle", async function () {
        const { opened, budget, lanes } = opening(() => assert.fail("no session was lost"));
        let finish!: () => void;
        const done = new Promise<void>((r) => (finish = r));
        const few = busy(lanes, SFTP_LANE_AFTER_WRITES, done);
        await tick();
        assert.strictEqual(opened.length, 0, "below the threshold nothing is opened");
        const many = busy(lanes, 8 * SFTP_WRITE_LANES * SFTP_LANE_AFTER_WRITES, done);
        await until(() => lanes.count === SFTP_WRITE_LANES);
        // Writes asked for once the lanes are open use them too.
        const later = busy(lanes, 3 * SFTP_WRITE_LANES, done);
        assert.strictEqual(opened.length, SFTP_WRITE_LANES - 1, "never more sessions than the limit");
        for (const s of opened) {
            assert.ok(
                later.used.includes(s as unknown as SFTPWrapper),
                "later writes go to the new, less busy sessions",
            );
        }
        finish();
        await Promise.all([few.all, many.all, later.all]);
        await until(() => opened.every((s) => s.ended));
        assert.strictEqual(lanes.count, 1);
        assert.strictEqual(budget.held, 0, "every channel given back to the budget");
        assert.ok(!(main as unknown as FakeSession).ended, "the first session stays open");
    });

    it("an idle lane closes at once when a command waits for a channel", async function () {
        const { opened, budget, lanes } = opening(() => undefined);
        let finish!: () => void;
        const done = new Promise<void>((r) => (finish = r));
        const b = busy(lanes, 4 * SFTP_LANE_AFTER_WRITES, done);
        await until(() => lanes.count > 1);
        finish();
        await b.all;
        budget.contended = true;
        await tick(100); // well below the idle time (1 s): only `contended` can have closed them
        assert.ok(opened.length > 0 && opened.every((s) => s.ended));
    });

    it("when the server refuses a session, the writes go on on the first one and no other is asked for", async function () {
        let asked = 0;
        const lanes = new SftpLanes(
            main,
            async () => {
                asked++;
                throw new Error("open failed");
            },
            new FakeBudget(),
            () => undefined,
        );
        let finish!: () => void;
        const done = new Promise<void>((r) => (finish = r));
        const b = busy(lanes, 4 * SFTP_LANE_AFTER_WRITES, done);
        await tick();
        const again = busy(lanes, 4 * SFTP_LANE_AFTER_WRITES, done);
        finish();
        await Promise.all([b.all, again.all]);
        assert.ok(asked >= 1 && asked <= SFTP_WRITE_LANES - 1, `asked ${asked} times`);
        assert.deepStrictEqual(new Set([...b.used, ...again.used]), new Set([main]));
        assert.strictEqual(lanes.count, 1);
    });

    it("without a way to open sessions, every write is on the first one", async function () {
        const lanes = new SftpLanes(main, undefined, new FakeBudget(), () => undefined);
        let finish!: () => void;
        const done = new Promise<void>((r) => (finish = r));
        const b = busy(lanes, 50, done);
        await tick();
        finish();
        await b.all;
        assert.deepStrictEqual(new Set(b.used), new Set([main]));
    });
});
