// Benchmark 4, connections: thousands of idle clients held by the room. They are opened in
// stages across several generator processes, each stage finished by all before the next starts,
// so each is timed alone: TCP connections accepted, secure-channel handshakes, logins (each
// needs an account of its own), registrations through the room. The server's memory is read
// after each stage, after a forced garbage collection, so the cost of one connection at each
// step is what it really holds.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_PASSWORD, clientName, makeAccounts, seedStore, type StoredAccount } from '../accounts.ts';
import type { Benchmark, BenchOutput, BenchSettings } from '../benchmark.ts';
import { Fleet, type FleetStage } from '../load/fleet.ts';
import type { ClientSpec } from '../load/messages.ts';
import { formatLoad, loadAverage, openFilesLimit } from '../machine.ts';
import { ServerProcess } from '../server-process.ts';
import { BENCH_SCRYPT_N } from '../servers-under-test.ts';
import { MAX_ANNOUNCED_ROOM, MAX_LISTED_NAMES } from '../../kit/room-client.ts';
import { round } from '../stats.ts';
import type { UsageReport } from '../usage-probe.ts';
import { repoRoot } from '../../manifest.ts';
import { mainThreadProfile, summariseProfile, type ProfileSummary } from '../cpu-profile.ts';
import { mb, profileTables } from './fanout.ts';

/** File descriptors kept free for everything that is not a benchmark connection. */
const SPARE_FDS = 200;
/** How long the room is left idle, all clients connected, before its settled memory is read (--quick: a glance). */
const IDLE_WINDOW_MS = 20_000;
const QUICK_IDLE_WINDOW_MS = 500;
/** Connections per generator process at most: each process holds its share's sockets. */
const PER_GENERATOR = 2500;

/** Sealed "joined" notices that `logins` logins into an empty room cost: each is told to everyone in, up to MAX_ANNOUNCED_ROOM. */
const joinedNotices = (logins: number) => {
  const announced = Math.min(logins, MAX_ANNOUNCED_ROOM);
  return (announced * (announced - 1)) / 2;
};

interface Step {
  name: string;
  stage?: FleetStage;
  usage: UsageReport;
  load: [number, number, number];
}

export const connections: Benchmark = {
  name: 'connections',
  summary: 'thousands of idle clients: accept time, handshakes/s, logins/s, memory per connection',
  async run(settings: BenchSettings): Promise<BenchOutput> {
    const limits = systemLimits();
    const wanted = settings.connections ?? (settings.quick ? 500 : 10_000);
    const notes: string[] = [];
    let count = wanted;
    const registrations = settings.quick ? 10 : 100;
    if (limits.openFiles !== undefined && count + registrations + SPARE_FDS > limits.openFiles) {
      count = limits.openFiles - registrations - SPARE_FDS;
      notes.push(`Only ${count} connections, not ${wanted}: the open-files limit (ulimit -n) is ${limits.openFiles}, and the server holds one descriptor per connection.`);
    }
    if (limits.ephemeralPorts !== undefined && count > limits.ephemeralPorts - 1000) {
      count = limits.ephemeralPorts - 1000;
      notes.push(`Only ${count} connections: the system has ${limits.ephemeralPorts} ephemeral ports for client sockets.`);
    }
    // Every client logs in, unless told otherwise; the registrations are timed on connections of
    // their own, opened beside them.
    const logins = Math.min(count, settings.logins ?? count);
    const opened = count + registrations;
    const generators = Math.max(settings.generators, Math.ceil(opened / PER_GENERATOR));
    const idleMs = settings.quick ? QUICK_IDLE_WINDOW_MS : IDLE_WINDOW_MS;

    // The store as a room with this many accounts has it: registrations rewrite all of it.
    const stored = Math.max(logins, settings.accounts ?? (settings.quick ? 100 : 10_000));

    settings.progress(`connections: hashing ${logins} accounts (scrypt N=${BENCH_SCRYPT_N})`);
    const made = await makeAccounts(Array.from({ length: logins }, (_, i) => clientName(i)));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-bench-'));
    seedStore(dataDir, { ...made.accounts, ...fillerAccounts(made.accounts[clientName(0)], logins, stored) });
    const storeBytes = statSync(path.join(dataDir, 'users.json')).size;
    const steps: Step[] = [];
    let server: ServerProcess | undefined;
    let fleet: Fleet | undefined;
    let settleMs = 0;
    const profileDir = settings.profile ? path.join(settings.outDir, 'profiles', `connections-${Date.now()}`) : undefined;
    let closed = { open: 0, closedByServer: 0 } as Awaited<ReturnType<Fleet['status']>>;
    let idle: UsageReport | undefined;
    try {
      // Connections wait, open, for the handshake stage: give them all the time it takes.
      if (profileDir) mkdirSync(profileDir, { recursive: true });
      server = await ServerProcess.start('room', { dataDir, handshakeTimeoutMs: 10 * 60_000, ...(settings.roomTree ? { roomTree: settings.roomTree } : {}), ...(profileDir ? { profileDir } : {}) });
      steps.push({ name: 'started, no connection', usage: await server.usage(true), load: loadAverage() });
      const clients: ClientSpec[] = Array.from({ length: opened }, (_, index) => ({
        index,
        name: clientName(index),
        enter: index < logins,
        ...(index >= count ? { register: `r${String(index).padStart(5, '0')}` } : {}),
      }));
      fleet = await Fleet.start({ protocol: 'room', host: server.host, port: server.port, clients, generators, password: BENCH_PASSWORD, concurrency: 100, stepTimeoutMs: 60_000 });
      const bound = 60_000 + opened * 20;
      const stage = async (name: string, which: 'tcp' | 'handshake' | 'enter' | 'register') => {
        settings.progress(`connections: ${name}`);
        const result = await fleet!.stage(which, bound);
        if (result.failed) notes.push(`${name}: ${result.failed} failed (first: ${result.firstError}).`);
        if (which === 'enter') settleMs = await fleet!.settle(bound);
        steps.push({ name, stage: result, usage: await server!.usage(true), load: loadAverage() });
      };
      await stage(`${opened} TCP connections accepted`, 'tcp');
      await stage(`${opened} handshakes`, 'handshake');
      await stage(`${logins} logins`, 'enter');
      await stage(`${registrations} registrations`, 'register');
      // What an idle room of this size holds once it has settled: V8 gives back the heap the
      // logins' traffic grew only after a while of idleness. A window, then one reading.
      settings.progress(`connections: the room idle for ${idleMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      idle = await server.usage(true);
      closed = await fleet.status();
    } finally {
      await fleet?.close();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const profileFile = profileDir && mainThreadProfile(profileDir);
    const profile: ProfileSummary | undefined = profileFile ? summariseProfile(profileFile, repoRoot) : undefined;

    const base = steps[0]!.usage;
    const last = steps.at(-1)!.usage;
    const rows: (string | number)[][] = [
      ['open-files limit (ulimit -n)', String(limits.openFiles ?? 'unknown'), '', ''],
      ['connections (generator processes)', `${count}, ${logins} of them logging in, and ${registrations} more that register (${generators})`, '10,000', ''],
      ['offline scrypt of the accounts', `${logins} in ${round(made.ms / 1000, 2)} s (${round(made.ms / Math.max(1, logins), 2)} ms each on ${os.availableParallelism()} cores; 10,000 would take ${round((made.ms / Math.max(1, logins)) * 10, 1)} s)`, '', ''],
      ['accounts in the store', `${stored} (${round(storeBytes / 2 ** 20, 2)} MB as the benchmark writes it)`, '', ''],
    ];
    steps.slice(1).forEach((step, i) => {
      const s = step.stage!;
      const before = steps[i]!.usage; // the step before this one
      const grew = step.usage.rssBytes - before.rssBytes;
      const extra = step.name.includes('registrations') ? ` (each rewrites users.json: ${stored}+ accounts)` : '';
      rows.push([`${step.name}${extra}`, `${round(s.ms / 1000, 2)} s, ${round(s.perSecond)}/s`, step.name.includes('handshake') ? '≥ 2,000/s' : '', formatLoad(step.load)]);
      rows.push(['  server memory after it', `RSS ${mb(step.usage.rssBytes)} MB (+${mb(grew)} MB, ${round(grew / 1024 / Math.max(1, s.ok), 1)} KB each), heap ${mb(step.usage.heapUsedBytes)} MB`, '', '']);
      if (step.name.includes('logins')) rows.push(['  all joined notices delivered', `${round(settleMs / 1000, 2)} s more (${joinedNotices(s.ok)} sealed frames)`, '', '']);
    });
    rows.push(['server memory after the stages', `RSS ${mb(last.rssBytes)} MB (${mb(last.rssBytes - base.rssBytes)} MB more than with no connection), peak ${mb(last.peakRssBytes)} MB`, '', '']);
    if (idle) {
      const perConnection = round((idle.rssBytes - base.rssBytes) / 1024 / opened, 1);
      rows.push([`server memory, idle for ${idleMs / 1000} s`, `RSS ${mb(idle.rssBytes)} MB (${perConnection} KB per connection), heap ${mb(idle.heapUsedBytes)} MB`, '≤ 200 MB', formatLoad(loadAverage())]);
    }
    rows.push(['connections the server closed', `${closed.closedByServer}${closed.firstCloseReason ? ` (${closed.firstCloseReason})` : ''}`, '0', '']);
    notes.push(
      `A welcome or a who lists at most ${MAX_LISTED_NAMES} names and says how many more (docs/protocol.md), so any number of members can be logged in.`,
      `A login is announced to everyone already in only while the room has at most ${MAX_ANNOUNCED_ROOM} members (docs/protocol.md, lab 6): ${logins} logins cost ${joinedNotices(logins)} "joined" notices, where announcing every one would cost ${(logins * (logins - 1)) / 2}.`,
      `The ${registrations} registrations are made on connections of their own, opened with the others: ${opened} connections in all.`,
    );
    return {
      tables: [{ title: `Connections: ${count} idle clients held by the room`, headers: ['what', 'figure', 'goal', 'load 1/5/15'], rows, notes }, ...(profile ? profileTables(profile) : [])],
      figures: { limits, count, logins, registrations, accountsInStore: stored, storeBytes, generators, hashMs: made.ms, settleMs, steps, idle, idleWindowMs: idleMs, closed, notes, ...(profile ? { profile } : {}) },
    };
  },
};

/**
 * Accounts that only fill the store up to `total` (nobody logs in with them): the same hash as
 * `model` under other names, so a large store costs no scrypt time to make.
 */
function fillerAccounts(model: StoredAccount | undefined, from: number, total: number): Record<string, StoredAccount> {
  const filler: Record<string, StoredAccount> = {};
  if (!model) return filler;
  for (let i = from; i < total; i++) filler[clientName(i)] = { ...model, name: clientName(i) };
  return filler;
}

function systemLimits(): { openFiles: number | undefined; ephemeralPorts: number | undefined } {
  let ephemeralPorts: number | undefined;
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) ephemeralPorts = high - low + 1;
  } catch {
    // Not Linux: no figure, no limit applied.
  }
  return { openFiles: openFilesLimit(), ephemeralPorts };
}
