// Benchmark 3, fan-out: N clients in the room, every one sending short chat lines, every line
// delivered to the N-1 others. The same load against three servers: the finished room, lab 3's
// room (frames and JSON, no crypto, no login) and a bare relay (the ceiling). For each:
// deliveries per second at saturation (a bounded window of messages in flight), latency at light
// load and at half the peak rate, the server's CPU and memory.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../manifest.ts';
import type { Benchmark, BenchOutput, BenchSettings } from '../benchmark.ts';
import { mainThreadProfile, summariseProfile, type ProfileSummary } from '../cpu-profile.ts';
import { LoadSession, type PhaseFigures, type SessionSetup } from '../load/session.ts';
import { formatLoad } from '../machine.ts';
import { servers, type ServerKind } from '../servers-under-test.ts';
import { round } from '../stats.ts';
import type { Table } from '../table.ts';

/** Messages per second for the whole room at "light load". */
export const LIGHT_RATE = 200;

export interface FanoutCase {
  kind: ServerKind;
  clients: number;
  setup: SessionSetup;
  saturated: PhaseFigures;
  light: PhaseFigures;
  halfPeak: PhaseFigures;
}

export const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

export const fanout: Benchmark = {
  name: 'fanout',
  summary: 'N clients chatting: deliveries/s, latency, CPU and memory of the room, lab 3 and a bare relay',
  async run(settings: BenchSettings): Promise<BenchOutput> {
    const counts = settings.clients ?? (settings.quick ? [10] : [10, 100, 500]);
    const measureMs = settings.measureMs ?? (settings.quick ? 1000 : 3000);
    const warmupMs = settings.quick ? 300 : 1000;
    const kinds: ServerKind[] = settings.quick ? ['ceiling', 'lab3', 'room'] : ['ceiling', 'ceilingBatched', 'lab3', 'room'];
    const cases: FanoutCase[] = [];
    let profile: ProfileSummary | undefined;
    const profileAt = counts.includes(100) ? 100 : counts.at(-1)!;
    for (const clients of counts) {
      for (const kind of kinds) {
        if (settings.signal.aborted) break;
        settings.progress(`fan-out: ${servers[kind].label}, ${clients} clients`);
        const profileDir = settings.profile && kind === 'room' && clients === profileAt ? path.join(settings.outDir, 'profiles', `fanout-${clients}-${Date.now()}`) : undefined;
        if (profileDir) mkdirSync(profileDir, { recursive: true });
        const session = await LoadSession.open({ kind, clients, generators: settings.generators, ...(settings.roomTree ? { roomTree: settings.roomTree } : {}), ...(profileDir ? { profileDir } : {}) });
        try {
          const saturated = await session.phase({ mode: 'window', warmupMs, measureMs });
          const light = await session.phase({ mode: 'rate', rate: LIGHT_RATE, warmupMs: warmupMs / 2, measureMs });
          const halfPeak = await session.phase({ mode: 'rate', rate: Math.max(1, Math.round(saturated.messagesPerSecond / 2)), warmupMs: warmupMs / 2, measureMs });
          cases.push({ kind, clients, setup: session.setup, saturated, light, halfPeak });
        } finally {
          await session.close();
        }
        if (profileDir) {
          const file = mainThreadProfile(profileDir);
          if (file) profile = summariseProfile(file, repoRoot);
        }
      }
    }
    return { tables: fanoutTables(cases, profile), figures: { cases, ...(profile ? { profile } : {}) } };
  },
};

const delivered = (f: PhaseFigures) => (f.deliveredExactly && f.violations === 0 && f.closedByServer === 0 ? 'yes' : `NO (${f.closedByServer} closed, ${f.violations} wrong)`);

export function fanoutTables(cases: FanoutCase[], profile?: ProfileSummary): Table[] {
  const label = (kind: ServerKind) => servers[kind].label;
  const tables: Table[] = [
    {
      title: 'Fan-out at saturation (each generator keeps a bounded window of messages in flight)',
      headers: ['server', 'N', 'deliveries/s', 'msgs/s', 'p50 ms', 'p99 ms', 'server CPU %', 'CPU µs/delivery', 'RSS MB', 'peak RSS MB', 'generators CPU %', 'all delivered', 'load 1/5/15'],
      rows: cases.map(({ kind, clients, saturated: s }) => [
        label(kind),
        clients,
        round(s.deliveriesPerSecond),
        round(s.messagesPerSecond),
        round(s.p50Ms, 2),
        round(s.p99Ms, 2),
        round(s.serverCpuPercent),
        round(s.cpuMicrosPerDelivery, 2),
        mb(s.rssBytes),
        mb(s.peakRssBytes),
        round(s.generatorsCpuPercent),
        delivered(s),
        formatLoad(s.load),
      ]),
      notes: [
        'deliveries/s: chat frames counted at every recipient within the measured window; msgs/s: chat lines sent.',
        'Latency at saturation is mostly the window waiting in queues (Little\'s law); see the next table for latency under load the server can carry.',
        'CPU % is of one core (the server is one thread). Generators run in separate processes on the same 2 cores: when server CPU is well under 100 %, the machine, not the server, was the limit.',
      ],
    },
    {
      title: `Latency at light load (${LIGHT_RATE} msgs/s in all) and at half the peak rate (open loop)`,
      headers: ['server', 'N', 'load', 'offered msgs/s', 'sent msgs/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'skipped', 'server CPU %', 'all delivered', 'load 1/5/15'],
      rows: cases.flatMap(({ kind, clients, light, halfPeak }) =>
        (
          [
            ['light', light],
            ['half peak', halfPeak],
          ] as const
        ).map(([name, f]) => [label(kind), clients, name, round(f.offeredPerSecond ?? 0), round(f.messagesPerSecond), round(f.deliveriesPerSecond), round(f.p50Ms, 2), round(f.p99Ms, 2), f.skipped, round(f.serverCpuPercent), delivered(f), formatLoad(f.load)]),
      ),
      notes: ['Latency: from the sender\'s send() to a recipient reading the frame, over all recipients (one clock: CLOCK_MONOTONIC). skipped: sends not made because 100 ms worth of messages were already in flight.', 'Goal: p99 ≤ 2 ms at light load.'],
    },
  ];
  const counts = [...new Set(cases.map((c) => c.clients))];
  const rate = (kind: ServerKind, n: number) => cases.find((c) => c.kind === kind && c.clients === n)?.saturated.deliveriesPerSecond ?? NaN;
  tables.push({
    title: 'Fan-out ratios (deliveries/s at saturation, against the bare relay)',
    headers: ['N', 'room / ceiling', 'lab 3 / ceiling', 'room / lab 3', 'room / batched ceiling', 'batched / ceiling'],
    rows: counts.map((n) => [
      n,
      ratio(rate('room', n), rate('ceiling', n)),
      ratio(rate('lab3', n), rate('ceiling', n)),
      ratio(rate('room', n), rate('lab3', n)),
      ratio(rate('room', n), rate('ceilingBatched', n)),
      ratio(rate('ceilingBatched', n), rate('ceiling', n)),
    ]),
    notes: ['Goal: room ≥ 0.8x the ceiling at N = 100. The batched ceiling gathers each recipient\'s frames per turn of the event loop (one system call instead of one per frame).'],
  });
  if (profile) tables.push(...profileTables(profile));
  return tables;
}

const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${round(a / b, 2)}x` : '-');

export function profileTables(profile: ProfileSummary): Table[] {
  return [
    {
      title: `Where the room's server spends its CPU (node --cpu-prof, ${profile.busyMs} ms busy, ${profile.gcPercent}% in GC): self time`,
      headers: ['function', 'where', 'self ms', '% of busy'],
      rows: profile.self.map((f) => [f.name, f.where, f.ms, `${f.percent}%`]),
      notes: [`Profile: ${profile.file}`],
    },
    {
      title: "The room's own functions by total time (themselves and what they call)",
      headers: ['function', 'where', 'total ms', '% of busy'],
      rows: profile.total.map((f) => [f.name, f.where, f.ms, `${f.percent}%`]),
    },
  ];
}
