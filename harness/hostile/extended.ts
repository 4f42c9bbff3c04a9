// `npm run test:hostile`: the hostile suite at the sizes the robustness issue asks for (2,000
// connection cycles, 500 silent connections, 50 stuck readers, 1,000 failed logins, 20 crashes),
// where `npm test` runs it smaller. `--target labs` attacks your own lab 6 room instead of the
// reference solution. Vitest runs it in the foreground: Ctrl+C stops it and its servers.
//
//   npm run test:hostile [-- --target <tree>]

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../manifest.ts';
import { runCli, UsageError } from '../cli/usage-error.ts';
import { vitestBin } from '../runner/run-lab.ts';

await runCli(async () => {
  const { target, help } = parseArgs({ options: { target: { type: 'string' }, help: { type: 'boolean' } } }).values;
  if (help) {
    console.log('usage: npm run test:hostile [-- --target <tree>]   (default: solutions)');
    return 0;
  }
  if (target !== undefined && !existsSync(path.join(path.resolve(target), '06-audit', 'server.ts'))) {
    throw new UsageError(`no 06-audit/server.ts in ${path.resolve(target)}: --target names a tree like labs/ or solutions/`);
  }
  const child = spawn(process.execPath, [vitestBin, 'run', '--config', 'harness/self-test/vitest.config.ts', 'harness/self-test/hostile.test.ts'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, SOCKETLAB_HOSTILE: 'extended', ...(target ? { SOCKETLAB_HOSTILE_TARGET: path.resolve(target) } : {}) },
  });
  return new Promise<number>((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
});
