// How a kit command is started, for code that starts one as `npm run` does (the kit's tests,
// the benchmarks). package.json's scripts say the same; a self-test holds the two together.

import path from 'node:path';
import { repoRoot } from '../manifest.ts';

export const launcher = path.join(repoRoot, 'harness', 'cli', 'launch.mjs');

/** Node's arguments for `npm run <script> <args>`, where the script runs harness/cli/<name>.ts. */
export const kitCommand = (name: string, args: string[] = []): string[] => [launcher, name, ...args];
