// Starts one server under test as the kit starts it (compiled, then node; port 0,
// the port learned from its "listening on" line), with the usage probe preloaded, and talks
// to the probe: CPU time and memory on request, a clean exit at the end.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledProgram } from '../kit/compiled-program.ts';
import { within } from '../kit/failure.ts';
import { isWindows } from '../kit/process-tree.ts';
import { repoRoot } from '../manifest.ts';
import { stopChild, track } from './children.ts';
import { ROOM_LAB, servers, type RoomOptions, type ServerKind } from './servers-under-test.ts';
import type { UsageReport, UsageRequest } from './usage-probe.ts';

const READY_LINE = /listening on\s+\[?([^\s\]]+?)\]?:(\d+)/i;
const READY_WITHIN_MS = 15_000;
const probe = fileURLToPath(new URL('./usage-probe.ts', import.meta.url));

export interface StartServerOptions extends RoomOptions {
  /** A fresh folder for the room's accounts and key (ignored by the others). */
  dataDir: string;
  /** Write a V8 CPU profile of the server into this folder when it stops (node --cpu-prof). */
  profileDir?: string;
  /** More arguments after the server's own (the ceiling's --batch). */
  extraArgs?: string[];
  /** The room only: an implementation tree laid out like solutions/ to take the room from (a patched copy, a learner's labs/). */
  roomTree?: string;
}

export class ServerProcess {
  host = '127.0.0.1';
  port = 0;
  private output = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (report: UsageReport) => void>();

  private constructor(
    readonly kind: ServerKind,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: UsageReport) => {
      if (message?.type === 'usage') this.waiting.get(message.id)?.(message);
    });
    // Always read its output: a server that logs every login would block on a full pipe.
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-16_384));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(kind: ServerKind, options: StartServerOptions): Promise<ServerProcess> {
    const program = servers[kind];
    // Compiled, as `npm run server` and the lab runs start a program (the probe too).
    const nodeArgs = ['--import', pathToFileURL((await compiledProgram(probe)).file).href, '--expose-gc'];
    if (options.profileDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', options.profileDir);
    const entry = kind === 'room' && options.roomTree ? path.join(options.roomTree, ROOM_LAB, 'server.ts') : path.join(repoRoot, program.entry);
    // The compiled file alone: not the harness's child guard, whose heartbeat would be load of its own.
    const args = [...nodeArgs, (await compiledProgram(entry)).file, '0', ...program.args(options.dataDir, options), ...(options.extraArgs ?? [])];
    const child = track(
      spawn(process.execPath, args, {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        // stdin: nothing (lab 6's console stops at the end of its input and the server goes on).
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: !isWindows,
        windowsHide: true,
      }),
    );
    const server = new ServerProcess(kind, child);
    try {
      await within(READY_WITHIN_MS, `the ${program.label} server to print "listening on 127.0.0.1:<port>"`, server.ready());
    } catch (err) {
      await server.kill();
      throw new Error(`${(err as Error).message}\nIts output:\n${server.output}`);
    }
    return server;
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = READY_LINE.exec(this.output);
        if (!match) return;
        this.port = Number(match[2]);
        this.child.stdout?.off('data', check);
        resolve();
      };
      this.child.stdout?.on('data', check);
      this.child.once('exit', (code, signal) => reject(new Error(`the ${this.kind} server exited (${signal ?? `code ${code}`}) before it listened`)));
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the server printed last (for a failure message). */
  outputTail(lines = 15): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** The server's CPU time and memory, as its probe reads them now. */
  usage(gc = false): Promise<UsageReport> {
    const id = this.nextId++;
    const answer = new Promise<UsageReport>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ type: 'usage', id, gc } satisfies UsageRequest);
    return within(5000, `the ${this.kind} server's usage report (is its event loop blocked?)`, answer).finally(() => this.waiting.delete(id));
  }

  /** Asks for a normal exit (which writes a CPU profile), then kills it if it is still there. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'exit' });
    try {
      await within(10_000, `the ${this.kind} server to exit`, exited);
    } catch {
      await this.kill();
    }
  }

  kill(): Promise<void> {
    return stopChild(this.child);
  }
}
