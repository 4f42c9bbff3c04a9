import type { ScenarioSpec } from '../../manifest.ts';

export const framingScenarios: ScenarioSpec[] = [];
