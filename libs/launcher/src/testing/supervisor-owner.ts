/**
 * Test fixture: a process that owns two supervised processes, as `npm start` does.
 * Arguments: <logDir> <markDir> <own-groups|shared-group> <stop-on-sigint|exit-at-once>.
 * Each supervised process appends every signal it receives to `<markDir>/<name>`, and exits 200 ms after the first
 * (so a signal that arrives with another one is recorded whichever is handled first).
 * Prints `ready [<pids>]` once both are ready. Then, `stop-on-sigint`: on SIGINT stops both with `stopAll`,
 * printing `stopped <name>` for each; `exit-at-once`: exits at once, without stopping them.
 */
import { join } from "node:path";
import { createSupervisor } from "../supervisor.ts";

const [logDir = "", markDir = "", groups, mode] = process.argv.slice(2);

const SUPERVISED = `
const { appendFileSync } = require("node:fs");
let exiting = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(signal, () => {
    appendFileSync(process.env.MARK, signal + "\\n");
    if (!exiting) setTimeout(() => process.exit(0), 200);
    exiting = true;
  });
console.log("ready");
setInterval(() => {}, 1000);
`;

const supervisor = createSupervisor({
  cwd: process.cwd(),
  logDir,
  ownProcessGroups: groups === "own-groups",
});
const children = ["first", "second"].map((name) =>
  supervisor.launch(name, process.execPath, ["-e", SUPERVISED], {
    ...process.env,
    MARK: join(markDir, name),
  }),
);
await Promise.all(children.map((child) => child.waitForLine((line) => line === "ready", 10_000)));
process.on("SIGINT", () => {
  void supervisor
    .stopAll({ onStopped: (name) => process.stdout.write(`stopped ${name}\n`) })
    .then(() => process.exit(0));
});
process.stdout.write(`ready ${JSON.stringify(children.map(({ child }) => child.pid))}\n`, () => {
  if (mode === "exit-at-once") process.exit(0);
});
