// Benchmark 5, the scaling curve: the room at saturation as the number of clients grows
// (10 → 1,000), with the bare relay beside it as a reference. The question is whether the cost
// of one delivery stays flat: fan-out work is N-1 deliveries per message, so flat CPU per
// delivery means the room scales as well as fan-out can; a rising cost means something in it
// grows with N (per-recipient work beyond the delivery, or memory traffic).

import type { Benchmark, BenchOutput, BenchSettings } from '../benchmark.ts';
import { LoadSession, type PhaseFigures, type SessionSetup } from '../load/session.ts';
import { formatLoad } from '../machine.ts';
import { servers, type ServerKind } from '../servers-under-test.ts';
import { round } from '../stats.ts';
import type { Table } from '../table.ts';
import { mb } from './fanout.ts';

interface Point {
  kind: ServerKind;
  clients: number;
  setup: SessionSetup;
  saturated: PhaseFigures;
}

/** Within this factor of the smallest room's cost per delivery counts as "flat". */
const FLAT_WITHIN = 1.25;

export const scaling: Benchmark = {
  name: 'scaling',
  summary: 'the room at saturation as N grows from 10 to 1,000: deliveries/s, CPU per delivery, memory',
  async run(settings: BenchSettings): Promise<BenchOutput> {
    const counts = settings.clients ?? (settings.quick ? [10, 50] : [10, 50, 100, 250, 500, 1000]);
    const kinds: ServerKind[] = settings.quick ? ['room'] : ['room', 'ceiling'];
    const measureMs = settings.measureMs ?? (settings.quick ? 1000 : 2000);
    const warmupMs = settings.quick ? 300 : 700;
    const points: Point[] = [];
    for (const kind of kinds) {
      for (const clients of counts) {
        if (settings.signal.aborted) break;
        settings.progress(`scaling: ${servers[kind].label}, ${clients} clients`);
        const session = await LoadSession.open({ kind, clients, generators: settings.generators, ...(settings.roomTree ? { roomTree: settings.roomTree } : {}) });
        try {
          points.push({ kind, clients, setup: session.setup, saturated: await session.phase({ mode: 'window', warmupMs, measureMs }) });
        } finally {
          await session.close();
        }
      }
    }
    return { tables: scalingTables(points), figures: { points, verdict: verdict(points) } };
  },
};

function verdict(points: Point[]): string {
  const room = points.filter((p) => p.kind === 'room').sort((a, b) => a.clients - b.clients);
  const first = room[0];
  const last = room.at(-1);
  if (!first || !last || first === last) return 'not enough points to say';
  const factor = last.saturated.cpuMicrosPerDelivery / first.saturated.cpuMicrosPerDelivery;
  const ceiling = points.filter((p) => p.kind === 'ceiling').sort((a, b) => a.clients - b.clients);
  const ceilingFactor = ceiling.length > 1 ? ceiling.at(-1)!.saturated.cpuMicrosPerDelivery / ceiling[0]!.saturated.cpuMicrosPerDelivery : undefined;
  const shape = factor > FLAT_WITHIN ? 'rises' : factor < 1 / FLAT_WITHIN ? 'falls' : 'stays flat';
  // A relay that does no work of its own shows what more sockets cost Node and the kernel.
  const likeRelay = ceilingFactor !== undefined && factor > FLAT_WITHIN && factor <= ceilingFactor * 1.1;
  return (
    `The room's CPU per delivery ${shape}: ${round(first.saturated.cpuMicrosPerDelivery, 2)} µs at N = ${first.clients}, ` +
    `${round(last.saturated.cpuMicrosPerDelivery, 2)} µs at N = ${last.clients} (×${round(factor, 2)})` +
    (ceilingFactor !== undefined ? `; the bare relay's changes ×${round(ceilingFactor, 2)} over the same range` : '') +
    (likeRelay ? ': no more than the relay\'s, so the growth is the cost of more sockets, not the room\'s own work.' : '.')
  );
}

function scalingTables(points: Point[]): Table[] {
  return [
    {
      title: 'Scaling: saturation as N grows',
      headers: ['server', 'N', 'setup s', 'deliveries/s', 'msgs/s', 'CPU µs/delivery', 'server CPU %', 'idle RSS MB', 'RSS KB/client', 'heap KB/client', 'p99 ms', 'generators CPU %', 'load 1/5/15'],
      rows: points.map(({ kind, clients, setup, saturated: s }) => [
        servers[kind].label,
        clients,
        round(setup.setupMs / 1000, 2),
        round(s.deliveriesPerSecond),
        round(s.messagesPerSecond),
        round(s.cpuMicrosPerDelivery, 2),
        round(s.serverCpuPercent),
        mb(setup.rssIdleBytes),
        round((setup.rssIdleBytes - setup.rssBaseBytes) / 1024 / clients, 1),
        round((setup.heapIdleBytes - setup.heapBaseBytes) / 1024 / clients, 1),
        round(s.p99Ms, 1),
        round(s.generatorsCpuPercent),
        formatLoad(s.load),
      ]),
      notes: [
        'setup: connecting, handshakes and logins (room), and every "joined" notice: the room sends N(N-1)/2 of them, one sealed frame each.',
        'idle RSS and per-client memory: after a forced garbage collection, everyone in the room, nobody sending.',
        verdict(points),
      ],
    },
  ];
}
