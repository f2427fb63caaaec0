/**
 * Extra SFTP sessions on the same SSH connection for writes (issue 22, first upload of a big tree). OpenSSH's
 * sftp-server is one process per session and does one request at a time; each new file costs it an fsync, which
 * waits for the disk (~3 ms on ext4), so one session uploads at most a few hundred small files a second however
 * many requests are in flight. Files written by two or three sessions at once have their fsyncs committed together
 * by the file system's journal (group commit): the same requests, the same fsync per file, several times the files
 * per second. No second login: the sessions are channels of the connection, taken from its one ChannelBudget
 * (sshd's MaxSessions), and a lane closes again once it has been idle a moment, or at once when a command is
 * waiting for a channel, so `validate` and the hasher never wait long for one.
 *
 * A file's requests (open, writes, fsync, close) all go to one session: handles belong to their session. Every
 * other request stays on the connection's first session.
 */
import type { SFTPWrapper } from "ssh2";
import { SFTP_IDLE_LANE_MS, SFTP_LANE_AFTER_WRITES, SFTP_WRITE_LANES } from "../../defaults";

/** A session and the writes it carries now. */
interface Lane {
    readonly sftp: SFTPWrapper;
    load: number;
    /** An extra lane's: called when a write starts on it with none in flight (stops its idle timer). */
    readonly busy?: () => void;
    /** An extra lane's: called when its last write in flight ends (arms its idle timer, or closes it at once). */
    readonly idle?: () => void;
}

/** The channel budget's part the lanes need (SshExec's ChannelBudget). */
export interface LaneBudget {
    /** Runs `use` (which opens a channel and closes it before it settles) once a channel is free. */
    hold<T>(use: () => Promise<T>): Promise<T>;
    /** True when a command waits for a channel. */
    readonly contended: boolean;
    /** Calls `listener` each time a command starts to wait for a channel; returns what stops the calls. */
    onWait(listener: () => void): () => void;
}

export class SftpLanes {
    private readonly lanes: Lane[];
    /** Lanes asked for and not yet open (or refused). */
    private opening = 0;
    /** False once the server refused a lane with none of ours to wait for: never asked again. */
    private allowed: boolean;

    constructor(
        main: SFTPWrapper,
        private readonly open: (() => Promise<SFTPWrapper>) | undefined,
        private readonly budget: LaneBudget,
        /** Called when a lane closes that we did not close (the connection is going). */
        private readonly lost: () => void,
    ) {
        this.lanes = [{ sftp: main, load: 0 }];
        this.allowed = open !== undefined && SFTP_WRITE_LANES > 1;
    }

    /** Sessions open now (the first one included). */
    get count(): number {
        return this.lanes.length;
    }

    /** Runs `write` (one file's open, writes, close) on the least busy session; opens another when all are busy. */
    async run<T>(write: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
        const lane = this.lanes.reduce((a, b) => (b.load < a.load ? b : a));
        if (
            this.allowed &&
            lane.load >= SFTP_LANE_AFTER_WRITES &&
            this.lanes.length + this.opening < SFTP_WRITE_LANES
        ) {
            this.opening++;
            void this.budget
                .hold(() => this.live())
                .catch(() => {
                    this.allowed = false;
                })
                .finally(() => this.opening--);
        }
        if (lane.load++ === 0) {
            lane.busy?.();
        }
        try {
            return await write(lane.sftp);
        } finally {
            if (--lane.load === 0) {
                lane.idle?.();
            }
        }
    }

    /**
     * One lane's life: open, carry writes until idle, close. Idle is SFTP_IDLE_LANE_MS with no write in flight, timed
     * from the last write's end (an unref'd timer, re-armed each time the load drops to 0), or no write in flight
     * while a command waits for a channel: then it closes at once. Resolves when the lane's channel is closed.
     */
    private async live(): Promise<void> {
        const sftp = await this.open!();
        let closing = false;
        const closed = new Promise<void>((resolve) => {
            sftp.once("close", () => {
                if (!closing) {
                    this.lost();
                }
                resolve();
            });
        });
        await new Promise<void>((retired) => {
            let timer: NodeJS.Timeout | undefined;
            const retire = () => {
                clearTimeout(timer);
                stopWatching();
                this.lanes.splice(this.lanes.indexOf(lane), 1); // no write is given to it from now on
                this.opening++; // given back by run's finally
                retired();
            };
            const idle = () => {
                if (this.budget.contended) {
                    retire();
                } else {
                    timer = setTimeout(retire, SFTP_IDLE_LANE_MS).unref();
                }
            };
            const lane: Lane = { sftp, load: 0, busy: () => clearTimeout(timer), idle };
            const stopWatching = this.budget.onWait(() => {
                if (lane.load === 0) {
                    retire();
                }
            });
            this.lanes.push(lane);
            this.opening--;
            idle();
        });
        closing = true;
        sftp.end();
        await closed;
    }
}
