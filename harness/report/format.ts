// What a learner reads after `npm run lab N`: one line per scenario, then, for a failure,
// in this order: what the scenario does, what was expected and what happened, the wire
// transcript, what the harness was waiting for, the program's own output, and a hint.

import { findLab, type Lab } from '../manifest.ts';
import { failed, passed, type LabResult, type ScenarioResult } from '../runner/results.ts';
import { hintFor } from './hints.ts';
import type { Style } from './style.ts';
import { renderTranscript } from './transcript-view.ts';

export interface FormatOptions {
  /** Explain every failure in full, not only the first. */
  verbose?: boolean;
}

export function formatLabResult(result: LabResult, style: Style, options: FormatOptions = {}): string {
  const lab = findLab(String(result.lab));
  const { color } = style;
  const out: string[] = [color.bold(`Lab ${result.lab} · ${result.title} · ${result.target}`), ''];
  for (const scenario of result.scenarios) out.push(scenarioLine(scenario, style));
  if (result.runError) out.push('', color.red(result.runError));

  const failures = result.scenarios.filter((s) => s.status !== 'pass' && s.failure);
  for (const [i, scenario] of failures.entries()) {
    out.push('', ...(i === 0 || options.verbose ? explain(scenario, lab, style) : brief(scenario, style)));
  }
  if (failures.length > 1 && !options.verbose) out.push('', color.dim('Only the first failure is shown in full; add --verbose to see every one.'));
  out.push('', closingLine(result));
  return out.join('\n');
}

/** The line CI and people read last, exactly `N passed, M failed`. */
export function closingLine(result: LabResult): string {
  return `${passed(result)} passed, ${failed(result)} failed`;
}

function scenarioLine(s: ScenarioResult, style: Style): string {
  const { color } = style;
  if (s.status === 'pass') return `  ${color.green(style.pass)} ${s.title} ${color.dim(`${s.durationMs} ms`)}`;
  const label = s.status === 'timeout' ? 'timed out' : s.status === 'error' ? 'error' : '';
  return `  ${color.red(style.fail)} ${s.title}${label ? color.red(` (${label})`) : ''}`;
}

function heading(s: ScenarioResult, style: Style): string {
  return style.color.red.bold(`── ${style.fail} ${s.id} ${'─'.repeat(Math.max(3, 60 - s.id.length))}`);
}

function brief(s: ScenarioResult, style: Style): string[] {
  return [heading(s, style), `The scenario: ${s.title}.`, `What happened: ${s.failure!.message}`];
}

function explain(s: ScenarioResult, lab: Lab | undefined, style: Style): string[] {
  const { color } = style;
  const f = s.failure!;
  const d = f.details;
  const out = [heading(s, style), `${color.bold('The scenario:')} ${s.title}.`, `${color.bold('What happened:')} ${f.message}`];

  if (d?.expected !== undefined || d?.actual !== undefined) {
    if (d.diff) {
      out.push(`  expected: ${d.diff.expected}`, `  received: ${d.diff.actual}`, `            ${' '.repeat(d.diff.caret)}${color.red('^')} first difference, at byte ${d.diff.offset}`);
    } else {
      out.push(`  expected: ${d.expected ?? '(nothing)'}`, `  received: ${d.actual ?? '(nothing)'}`);
    }
  }

  if (d?.wait) {
    const w = d.wait;
    const facts = [`waited ${w.withinMs} ms for ${w.awaited}`];
    if (w.receivedBytes !== undefined) facts.push(`had received ${w.receivedBytes} bytes of it`);
    if (w.socketOpen !== undefined) facts.push(w.socketOpen ? 'the connection was still open' : 'the connection had been closed');
    out.push(`${color.bold('Waiting for:')} the harness ${facts.join('; ')}.`);
  }

  if (f.program) out.push(`${color.bold('Your program:')} ${programState(f.program)}`);

  if (f.connections.length) out.push(color.bold('On the wire') + color.dim(` (${style.arrowOut} sent by the harness, ${style.arrowIn} sent by your program):`), ...renderTranscript(f.connections, style));

  if (f.output?.trim()) {
    out.push(color.bold('Your program printed') + color.dim(' (last lines):'), ...f.output.trimEnd().split('\n').map((line) => color.dim('  | ') + line));
  }

  const spec = lab?.scenarios.find((x) => x.id === s.id);
  const hint = hintFor(f, spec);
  if (hint) out.push(`${color.yellow.bold('Hint:')} ${hint}`);
  return out;
}

function programState(p: NonNullable<ScenarioResult['failure']>['program'] & object): string {
  if (!p.alive) return `it ${p.exit ?? 'has exited'}.`;
  const parts = ['still running'];
  if (p.blockedForMs) parts.push(`but its event loop had not responded for ${(p.blockedForMs / 1000).toFixed(1)} s (blocked)`);
  // The kernel completes connections on a listening port even while the event loop is stuck.
  if (p.listening !== undefined) parts.push(p.listening ? 'its port still takes connections' : 'its port no longer takes connections');
  return `${parts.join(', ')}.`;
}
