// Runs once around the kit's own test run (vitest's globalSetup).

import { removeOrphanedOutputs } from '../kit/compiled-program.ts';

/**
 * Test files that start programs outside a lab run compile them into temporary folders named
 * after their worker; a worker stopped at the end of the run cannot remove its own.
 */
export function teardown(): void {
  removeOrphanedOutputs();
}
