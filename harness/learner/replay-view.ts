// `npm run lab N --replay`: the scenario that failed last, run again on its own against the
// current code, with its conversation on the wire shown whether it fails or passes now.

import type { Lab } from '../manifest.ts';
import { formatLabResult } from '../report/format.ts';
import type { Style } from '../report/style.ts';
import { renderTranscript } from '../report/transcript-view.ts';
import type { LabResult } from '../runner/results.ts';
import { beforeClosingLine } from './after-run.ts';
import type { FailingScenario } from './progress-store.ts';

export function formatReplay(result: LabResult, saved: FailingScenario, lab: Lab, style: Style, now = new Date()): string {
  const { color } = style;
  const intro = `Replaying ${color.bold(saved.scenario)} from lab ${lab.number}: it failed ${ago(saved.at, now)} with: ${saved.message}`;
  const report = formatLabResult(result, style, { verbose: true });
  const scenario = result.scenarios[0];
  if (scenario?.status !== 'pass') return `${intro}\n\n${report}`;
  const transcript = scenario.connections?.length
    ? [color.bold('On the wire') + color.dim(` (${style.arrowOut} sent by the harness, ${style.arrowIn} sent by your program):`), ...renderTranscript(scenario.connections, style)]
    : [];
  return `${intro}\n\n${beforeClosingLine(report, [color.green(`${scenario.id} passes now.`), ...transcript])}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string, now: Date): string {
  const minutes = Math.round((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (!(minutes >= 1)) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
}
