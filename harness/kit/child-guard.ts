// Preloaded into every learner program the harness starts (node --import). Two jobs:
// - a heartbeat over the IPC channel, so the harness can tell "your event loop is
//   blocked" apart from "your program is idle"; each beat carries the CPU time used so far
//   (process.cpuUsage) and the memory it holds (RSS), so the harness can tell an idle program
//   from one that spins, and see memory grow under attack;
// - exit when the harness goes away, so a program never outlives the run that started it.
// It must never keep the program alive by itself, hence every handle is unref'd.

const HEARTBEAT_MS = 100;

if (process.send && process.channel) {
  const report = () => {
    // The callback swallows send errors: a harness that went away is handled below.
    if (process.connected) {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system, rssBytes: process.memoryUsage.rss() }, undefined, undefined, () => {});
    }
  };
  // One beat at once: until the first one arrives, the harness knows only that the program has
  // not started running yet (a busy machine), not that its event loop is blocked.
  report();
  const beat = setInterval(report, HEARTBEAT_MS);
  beat.unref();
  process.channel.unref();
  process.on('disconnect', () => process.exit(70));
}
