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
      console.error(`error: ${(err as Error).message}`);
      process.exit(2);
    }
    throw err;
  }
}
