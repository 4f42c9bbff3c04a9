// Every deliberately broken program in harness/fixtures fails the scenarios meant to catch it,
// with a real verdict (a failure or a timeout, never a harness error), and leaves nothing behind.

import { describe, expect, test } from 'vitest';
import { echoHostileVerdicts } from '../fixtures/01-echo/fixtures.ts';
import { fixtures, fixtureTarget } from '../fixtures/catalog.ts';
import { labs } from '../manifest.ts';
import { formatLabResult } from '../report/format.ts';
import { plainStyle } from '../report/style.ts';
import { runChecked } from './lab-runs.ts';

/** A hostile program's verdict comes well within this: the bound catches a hang, it is no timing target. */
const HANG_BOUND_MS = 20_000;

describe.each(labs)('lab $number ($slug) fixtures', (lab) => {
  for (const fixture of fixtures.filter((f) => f.lab === lab.slug)) {
    test(`"${fixture.name}" (${fixture.mistake}) is caught by ${fixture.caughtBy.join(', ')}`, async () => {
      // Only the scenarios meant to catch it: what the others do with a broken program proves nothing here.
      const started = performance.now();
      const result = await runChecked(lab, fixtureTarget(fixture), fixture.caughtBy);
      const verdict = echoHostileVerdicts[fixture.name];
      if (lab.slug === 'echo' && verdict) {
        expect(performance.now() - started, 'the run against a hostile program, in ms').toBeLessThan(HANG_BOUND_MS);
        expect(formatLabResult(result, plainStyle, { verbose: true })).toMatch(verdict);
      }
      for (const id of fixture.caughtBy) {
        const scenario = result.scenarios.find((s) => s.id === id);
        expect(scenario, `scenario ${id} exists`).toBeDefined();
        expect(scenario!.status, `${id} against ${fixture.name}`).not.toBe('pass');
        expect(scenario!.status, `${id} against ${fixture.name}`).not.toBe('error');
        expect(scenario!.failure?.message).toBeTruthy();
      }
    });
  }
});

test('every fixture names a lab and scenarios that exist', () => {
  for (const fixture of fixtures) {
    const lab = labs.find((l) => l.slug === fixture.lab);
    expect(lab, fixture.name).toBeDefined();
    for (const id of fixture.caughtBy) expect(lab!.scenarios.map((s) => s.id), fixture.name).toContain(id);
  }
  // A verdict for a program that is not run would check nothing.
  for (const name of Object.keys(echoHostileVerdicts)) expect(fixtures.filter((f) => f.lab === 'echo').map((f) => f.name)).toContain(name);
});
