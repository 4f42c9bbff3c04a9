// A stand-in lab for the runner's own test: one scenario that never settles and has no
// timeout of its own short enough to matter, so only the run's cap can end it.
import { test } from 'vitest';

test('waits forever', () => new Promise<void>(() => {}), 600_000);
