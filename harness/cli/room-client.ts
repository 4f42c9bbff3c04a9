// `npm run client -- [host] [port]`: the finished chat room's client (lab 6), started as the
// original room's was (`python client.py [ip port]`). The client reads its own command line
// (client-options.ts in the lab folder); this launcher only picks whose client to run (--impl)
// and starts it.

import { IMPL_HELP, roomProgram, runProgram } from './room-launch.ts';
import { runCli, UsageError } from './usage-error.ts';

/** Takes `--impl <tree>` (or `--impl=<tree>`) out of the arguments; everything else is the client's. */
function takeImpl(args: string[]): { impl?: string; rest: string[] } {
  const rest = [...args];
  const at = rest.findIndex((arg) => arg === '--impl' || arg.startsWith('--impl='));
  if (at < 0) return { rest };
  const [flag] = rest.splice(at, 1);
  if (flag!.startsWith('--impl=')) return { impl: flag!.slice('--impl='.length), rest };
  const [value] = rest.splice(at, 1);
  if (value === undefined || value.startsWith('-')) throw new UsageError('--impl needs a tree: solutions, labs, or a folder laid out like labs/');
  return { impl: value, rest };
}

async function main(): Promise<number> {
  const { impl, rest } = takeImpl(process.argv.slice(2));
  const program = roomProgram(impl, 'client.ts');
  const code = await runProgram(program, rest);
  // The client prints its own help; what picks the client is the launcher's to tell.
  if (rest.includes('--help') || rest.includes('-h')) console.log(`\nfrom the kit (npm run client), also:\n${IMPL_HELP}`);
  return code;
}

await runCli(main);
