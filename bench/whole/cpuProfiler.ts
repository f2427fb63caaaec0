/**
 * Loaded with `NODE_OPTIONS=--require …/cpuProfiler.js` into every node process of a `pulumi` command (Node 20
 * refuses `--cpu-prof` in NODE_OPTIONS): profiles the process with the inspector and writes a V8 .cpuprofile to
 * $FILEDROP_CPU_PROF_DIR every second and at exit, since the engine may kill a provider process without an exit
 * event. The chunks of one process add up (cpuProfile.ts sums them).
 */
import * as fs from "node:fs";
import { Session } from "node:inspector";
import * as path from "node:path";

const dir = process.env.FILEDROP_CPU_PROF_DIR;
if (dir) {
    const session = new Session();
    session.connect();
    let chunk = 0;
    const role = process.argv.slice(1).join(" ").includes("dynamic-provider") ? "provider" : "program";
    const start = () => {
        session.post("Profiler.enable");
        session.post("Profiler.setSamplingInterval", { interval: 1000 });
        session.post("Profiler.start");
    };
    const flush = () => {
        session.post("Profiler.stop", (err, r) => {
            if (!err && r?.profile) {
                fs.writeFileSync(
                    path.join(dir, `${role}-${process.pid}-${String(chunk++).padStart(4, "0")}.cpuprofile`),
                    JSON.stringify(r.profile),
                );
            }
        });
    };
    start();
    const timer = setInterval(() => {
        flush();
        start();
    }, 1000);
    timer.unref();
    process.on("exit", flush);
}
