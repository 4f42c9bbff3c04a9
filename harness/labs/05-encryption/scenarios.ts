import type { ScenarioSpec } from '../../manifest.ts';

export const encryptionScenarios: ScenarioSpec[] = [];
