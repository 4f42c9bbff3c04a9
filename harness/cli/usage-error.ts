// A mistake in how a command was called: shown as one line, exit status 2, never a stack.

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs a CLI's main function, turning usage errors into one line and exit status 2.
 * It exits only once stdout and stderr are flushed: process.exit() right after a large
 * write to a pipe would cut the output (`npm run lab -- 3 --json | jq` needs all of it).
 */
export async function runCli(main: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await main();
  } catch (err) {
    if (!(err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS'))) throw err;
    // parseArgs explains at length how to pass a positional that starts with '-'; the first sentence is the point.
    const message = (err as Error).message.split(/\. (?=[A-Z])/)[0]!;
    console.error(`error: ${message}${err instanceof UsageError ? '' : ' (add --help for usage)'}`);
    code = 2;
  }
  await flush(process.stdout);
  await flush(process.stderr);
  process.exit(code);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
