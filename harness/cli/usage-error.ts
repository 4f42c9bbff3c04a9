// A mistake in how a command was called: shown as one line, exit status 2, never a stack.

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Runs a CLI's main function, turning usage errors into one line and exit status 2. */
export async function runCli(main: () => Promise<number>): Promise<never> {
  try {
    process.exit(await main());
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      // parseArgs explains at length how to pass a positional that starts with '-'; the first sentence is the point.
      const message = (err as Error).message.split(/\. (?=[A-Z])/)[0]!;
      console.error(`error: ${message}${err instanceof UsageError ? '' : ' (add --help for usage)'}`);
      process.exit(2);
    }
    throw err;
  }
}
