// The servers the fan-out and connection benchmarks load, and the one place that says which
// program "the room" is: the finished room, lab 6 (solutions/06-audit). Lab 5's solution speaks
// exactly the same wire protocol; to measure it instead, change the next line to '05-encryption'
// (lab 6's extra --host argument is handled below).

export const ROOM_LAB = '06-audit' as '05-encryption' | '06-audit';

export type ServerKind = 'room' | 'lab3' | 'ceiling' | 'ceilingBatched';
/** What the load clients speak to it: the room's secure channel and login, lab 3's join, or bare frames. */
export type WireProtocol = 'room' | 'lab3' | 'ceiling';

export interface ServerProgram {
  kind: ServerKind;
  wire: WireProtocol;
  /** What the tables call it. */
  label: string;
  /** The program, relative to the repository root. */
  entry: string;
  /** Arguments after the port, given a fresh data folder. */
  args: (dataDir: string, options: RoomOptions) => string[];
}

export interface RoomOptions {
  /** How long a connection may wait before its handshake (the connections benchmark holds 10,000 open first). */
  handshakeTimeoutMs?: number;
}

/** scrypt's cost for the room's new hashes: the tests' value (docs/protocol.md, lab 4). */
export const BENCH_SCRYPT_N = 1024;

export const servers: Record<ServerKind, ServerProgram> = {
  room: {
    kind: 'room',
    wire: 'room',
    label: `room (${ROOM_LAB})`,
    entry: `solutions/${ROOM_LAB}/server.ts`,
    args: (dataDir, { handshakeTimeoutMs = 10_000 }) => [
      ...(ROOM_LAB === '06-audit' ? ['--host', '127.0.0.1'] : []),
      '--data',
      dataDir,
      '--scrypt-n',
      String(BENCH_SCRYPT_N),
      '--lockout-ms',
      '1500',
      '--handshake-timeout-ms',
      String(handshakeTimeoutMs),
    ],
  },
  // Frames and JSON, no crypto and no login: what the room costs without its channel and accounts.
  lab3: { kind: 'lab3', wire: 'lab3', label: 'lab 3 (03-chat)', entry: 'solutions/03-chat/server.ts', args: () => [] },
  // Frames relayed as they are: the ceiling of Node on this machine for this traffic.
  ceiling: { kind: 'ceiling', wire: 'ceiling', label: 'ceiling (relay)', entry: 'harness/bench/ceiling-server.ts', args: () => [] },
  // The same relay, its writes to each client gathered per turn of the event loop (one system call each).
  ceilingBatched: { kind: 'ceilingBatched', wire: 'ceiling', label: 'ceiling, batched', entry: 'harness/bench/ceiling-server.ts', args: () => ['--batch'] },
};
