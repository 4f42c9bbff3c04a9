import type { ScenarioSpec } from '../../manifest.ts';

export const loginScenarios: ScenarioSpec[] = [];
