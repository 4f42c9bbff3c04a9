// Preloaded into every server a benchmark starts (node --import), so its CPU time and memory
// can be read from inside, the same way on every system: the benchmark asks over the IPC
// channel, the probe answers with process.cpuUsage() and process.memoryUsage(). It also lets
// the benchmark end the server with a normal exit (so --cpu-prof writes its profile), and
// exits when the benchmark goes away, so a server never outlives its run.

export interface UsageRequest {
  type: 'usage';
  id: number;
  /** Collect garbage first (the server runs with --expose-gc): memory that is really held, not yet-to-be-collected. */
  gc?: boolean;
}

export interface UsageReport {
  type: 'usage';
  id: number;
  /** CPU time used since the process started, user + system, in microseconds. */
  cpuMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** The largest RSS the process ever had (getrusage's maxrss), in bytes. */
  peakRssBytes: number;
  /** When it was read (process.hrtime, µs): a busy server answers late, and CPU time is per real interval. */
  atMicros: number;
}

if (process.send && process.channel) {
  process.on('message', (message: UsageRequest | { type: 'exit' }) => {
    if (message?.type === 'exit') process.exit(0);
    if (message?.type !== 'usage') return;
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const { user, system } = process.cpuUsage();
    const memory = process.memoryUsage();
    const report: UsageReport = {
      type: 'usage',
      id: message.id,
      cpuMicros: user + system,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      atMicros: Number(process.hrtime.bigint() / 1000n),
    };
    process.send?.(report, undefined, undefined, () => {});
  });
  // The channel must not keep the server alive by itself; and with the benchmark gone, stop.
  process.channel.unref();
  process.on('disconnect', () => process.exit(70));
}
