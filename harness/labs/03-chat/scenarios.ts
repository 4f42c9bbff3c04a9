import type { ScenarioSpec } from '../../manifest.ts';

export const chatScenarios: ScenarioSpec[] = [];
