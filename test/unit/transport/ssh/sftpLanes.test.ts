/**
 * Extra SFTP sessions for writes (sftpLanes.ts), with fake sessions and a fake or real channel budget. The idle time
 * is run on Node's mock clock (node:test `mock.timers`), so "after SFTP_IDLE_LANE_MS, not before" and "at once" are
 * exact steps of that clock, not waits.
 */
import * as assert from "node:assert";
import { EventEmitter } from "node:events";
import { mock } from "node:test";
import type { SFTPWrapper } from "ssh2";
import { SFTP_IDLE_LANE_MS, SFTP_LANE_AFTER_WRITES, SFTP_WRITE_LANES } from "../../../../provider/defaults";
import { ChannelBudget } from "../../../../provider/transport/ssh/channelBudget";
import { type LaneBudget, SftpLanes } from "../../../../provider/transport/ssh/sftpLanes";

/** A session that only closes. */
class FakeSession extends EventEmitter {
    ended = false;
    end(): void {
        this.ended = true;
        setImmediate(() => this.emit("close"));
    }
}

/** A budget without limit, whose `wait()` plays a command that starts waiting for a channel. */
class FakeBudget implements LaneBudget {
    contended = false;
    held = 0;
    readonly watchers = new Set<() => void>();
    async hold<T>(use: () => Promise<T>): Promise<T> {
        this.held++;
        try {
            return await use();
        } finally {
            this.held--;
        }
    }
    onWait(listener: () => void): () => void {
        this.watchers.add(listener);
        return () => this.watchers.delete(listener);
    }
    wait(): void {
        this.contended = true;
        for (const w of [...this.watchers]) {
            w();
        }
    }
}

/** The connection's real budget as SshExec lends it to the lanes: the first session held, room for the lanes. */
function realBudget(channels: number): { budget: ChannelBudget; lanes: LaneBudget } {
    const budget = new ChannelBudget(channels, 1);
    const lanes: LaneBudget = {
        hold: (use) => budget.run(use, () => false),
        get contended() {
            return budget.contended;
        },
        onWait: (listener) => budget.onWait(listener),
    };
    return { budget, lanes };
}

/** Lets every pending promise and setImmediate run (sessions close on a setImmediate); no timer is advanced. */
async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) {
        await new Promise((r) => setImmediate(r));
    }
}

/** Writes that last until `finish()`. */
function gate(): { done: Promise<void>; finish: () => void } {
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    return { done, finish };
}

describe("transport/ssh/sftpLanes: writes on more SFTP sessions of one connection", function () {
    const main = new FakeSession() as unknown as SFTPWrapper;

    beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
    afterEach(() => mock.timers.reset());

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
    function opening(
        lost: () => void,
        budget: LaneBudget = new FakeBudget(),
    ): { opened: FakeSession[]; lanes: SftpLanes } {
        const opened: FakeSession[] = [];
        const open = async () => {
            const s = new FakeSession();
            opened.push(s);
            return s as unknown as SFTPWrapper;
        };
        return { opened, lanes: new SftpLanes(main, open, budget, lost) };
    }

    /** Opens every lane with writes that then all end; resolves once the lanes are idle. */
    async function openedIdle(lanes: SftpLanes): Promise<void> {
        const g = gate();
        const b = busy(lanes, 4 * SFTP_WRITE_LANES * SFTP_LANE_AFTER_WRITES, g.done);
        await settle();
        assert.strictEqual(lanes.count, SFTP_WRITE_LANES, "every lane open");
        g.finish();
        await b.all;
        await settle();
    }

    it("a few writes stay on the first session; many open more, up to the limit, and later writes use them", async function () {
        const budget = new FakeBudget();
        const { opened, lanes } = opening(() => assert.fail("no session was lost"), budget);
        const g = gate();
        const few = busy(lanes, SFTP_LANE_AFTER_WRITES, g.done);
        await settle();
        assert.strictEqual(opened.length, 0, "below the threshold nothing is opened");
        const many = busy(lanes, 8 * SFTP_WRITE_LANES * SFTP_LANE_AFTER_WRITES, g.done);
        await settle();
        assert.strictEqual(lanes.count, SFTP_WRITE_LANES);
        // Writes asked for once the lanes are open use them too.
        const later = busy(lanes, 3 * SFTP_WRITE_LANES, g.done);
        assert.strictEqual(opened.length, SFTP_WRITE_LANES - 1, "never more sessions than the limit");
        for (const s of opened) {
            assert.ok(
                later.used.includes(s as unknown as SFTPWrapper),
                "later writes go to the new, less busy sessions",
            );
        }
        g.finish();
        await Promise.all([few.all, many.all, later.all]);
        mock.timers.tick(SFTP_IDLE_LANE_MS);
        await settle();
        assert.ok(opened.every((s) => s.ended));
        assert.strictEqual(lanes.count, 1);
        assert.strictEqual(budget.held, 0, "every channel given back to the budget");
        assert.ok(!(main as unknown as FakeSession).ended, "the first session stays open");
    });

    it("an idle lane closes SFTP_IDLE_LANE_MS after its last write ended, not before; a write in between restarts the wait", async function () {
        const budget = new FakeBudget();
        const { opened, lanes } = opening(() => assert.fail("no session was lost"), budget);
        await openedIdle(lanes);
        const [a, b] = opened;
        mock.timers.tick(SFTP_IDLE_LANE_MS - 1);
        await settle();
        assert.ok(!a.ended && !b.ended, "open until the idle time has passed");
        // One write held on the first session, so that the next one goes to the first lane and ends at once.
        const g = gate();
        const onMain = busy(lanes, 1, g.done);
        const onA = busy(lanes, 1, Promise.resolve());
        await onA.all;
        assert.deepStrictEqual(onA.used, [a as unknown as SFTPWrapper]);
        mock.timers.tick(1);
        await settle();
        assert.ok(b.ended, "the lane idle all along closes at the idle time");
        assert.ok(!a.ended, "the lane that wrote since waits again from its write's end");
        mock.timers.tick(SFTP_IDLE_LANE_MS - 2);
        await settle();
        assert.ok(!a.ended);
        mock.timers.tick(1);
        await settle();
        assert.ok(a.ended);
        assert.strictEqual(lanes.count, 1);
        assert.strictEqual(budget.held, 0);
        assert.strictEqual(budget.watchers.size, 0, "no lane listens to the budget once closed");
        g.finish();
        await onMain.all;
    });

    it("idle lanes close at once when a command waits for a channel, a busy one as soon as its writes end", async function () {
        const { budget, lanes: lent } = realBudget(SFTP_WRITE_LANES); // the first session and every lane: full
        const { opened, lanes } = opening(() => assert.fail("no session was lost"), lent);
        await openedIdle(lanes);
        const ran = budget.run(
            async () => "ran",
            () => false,
        );
        await settle(); // no time passes on the mock clock: only the command's wait can close them
        assert.ok(opened.every((s) => s.ended));
        assert.strictEqual(await ran, "ran");
        mock.timers.tick(SFTP_IDLE_LANE_MS); // the closed lanes' idle timers were stopped: nothing happens now
        await settle();
        assert.strictEqual(lanes.count, 1);

        // Again, with a write in flight on one lane when the command comes.
        const g = gate();
        const held = busy(lanes, 1, g.done); // on the first session
        const b = busy(lanes, 4 * SFTP_WRITE_LANES * SFTP_LANE_AFTER_WRITES, Promise.resolve());
        await b.all;
        const onLane = busy(lanes, SFTP_WRITE_LANES, g.done); // one on each session
        await settle();
        assert.strictEqual(lanes.count, SFTP_WRITE_LANES);
        const reopened = opened.slice(SFTP_WRITE_LANES - 1);
        const again = budget.run(
            async () => "ran again",
            () => false,
        );
        await settle();
        assert.ok(
            reopened.every((s) => !s.ended),
            "a lane with a write in flight stays until the write ends",
        );
        g.finish();
        await Promise.all([held.all, onLane.all]);
        await settle();
        assert.ok(reopened.every((s) => s.ended));
        assert.strictEqual(await again, "ran again");
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
        const g = gate();
        const b = busy(lanes, 4 * SFTP_LANE_AFTER_WRITES, g.done);
        await settle();
        const again = busy(lanes, 4 * SFTP_LANE_AFTER_WRITES, g.done);
        g.finish();
        await Promise.all([b.all, again.all]);
        assert.ok(asked >= 1 && asked <= SFTP_WRITE_LANES - 1, `asked ${asked} times`);
        assert.deepStrictEqual(new Set([...b.used, ...again.used]), new Set([main]));
        assert.strictEqual(lanes.count, 1);
    });

    it("without a way to open sessions, every write is on the first one", async function () {
        const lanes = new SftpLanes(main, undefined, new FakeBudget(), () => undefined);
        const g = gate();
        const b = busy(lanes, 50, g.done);
        await settle();
        g.finish();
        await b.all;
        assert.deepStrictEqual(new Set(b.used), new Set([main]));
    });

    describe("on the real clock", function () {
        beforeEach(() => mock.timers.reset());

        it("no idle timer keeps the process alive, and none is left once the last lane closed", async function () {
            const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
            await settle(); // mocha's own timer for this test is counted from here
            const before = refTimers();
            const set: NodeJS.Timeout[] = [];
            const real = global.setTimeout;
            const spy = (...args: Parameters<typeof setTimeout>) => {
                const t = real(...args);
                set.push(t);
                return t;
            };
            global.setTimeout = Object.assign(spy, real);
            const budget = new FakeBudget();
            const { opened, lanes } = opening(() => assert.fail("no session was lost"), budget);
            try {
                await openedIdle(lanes);
            } finally {
                global.setTimeout = real;
            }
            assert.ok(set.length >= SFTP_WRITE_LANES - 1, "each idle lane has its timer");
            assert.ok(
                set.every((t) => !t.hasRef()),
                "every idle timer is unref'd",
            );
            assert.strictEqual(refTimers(), before, "no timer of the lanes counts for keeping the process alive");
            budget.wait();
            await settle();
            assert.ok(opened.every((s) => s.ended));
            assert.strictEqual(lanes.count, 1);
            assert.strictEqual(budget.watchers.size, 0, "no lane listens to the budget once closed");
            assert.strictEqual(refTimers(), before);
        });
    });
});
