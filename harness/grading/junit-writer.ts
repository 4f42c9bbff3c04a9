// junit.xml, for CI systems and LMS importers: one <testsuite> per lab, one <testcase> per
// scenario. A scenario that did not pass is a <failure> (the program's fault: wrong bytes, a
// timed-out wait, type="timeout") or an <error> (the run itself broke). Points travel as
// suite properties, which importers that know about them read and the others ignore.

import type { ResultsDocument, ScenarioEntry } from './results-document.ts';

export function junitXml(doc: ResultsDocument): string {
  const errors = doc.labs.reduce((n, lab) => n + lab.scenarios.filter((s) => s.status === 'error').length, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`socketlab: ${doc.target}`)}" tests="${doc.passed + doc.failed}" failures="${doc.failed - errors}" errors="${errors}" time="${seconds(doc.durationMs)}">`,
  ];
  for (const lab of doc.labs) {
    const labErrors = lab.scenarios.filter((s) => s.status === 'error').length;
    const name = `lab ${lab.lab} (${lab.slug}): ${lab.title}`;
    out.push(`  <testsuite name="${attr(name)}" tests="${lab.total}" failures="${lab.total - lab.passed - labErrors}" errors="${labErrors}" skipped="0" time="${seconds(lab.durationMs)}">`);
    out.push('    <properties>', `      <property name="points" value="${lab.points}"/>`, `      <property name="possible" value="${lab.possible}"/>`);
    if (lab.message) out.push(`      <property name="run-error" value="${attr(lab.message)}"/>`);
    out.push('    </properties>');
    for (const s of lab.scenarios) out.push(...testcase(`socketlab.lab${String(lab.lab).padStart(2, '0')}-${lab.slug}`, s));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function testcase(classname: string, s: ScenarioEntry): string[] {
  const open = `    <testcase classname="${attr(classname)}" name="${attr(`${s.id}: ${s.title}`)}" time="${seconds(s.durationMs)}"`;
  if (s.status === 'pass') return [`${open}/>`];
  const element = s.status === 'error' ? 'error' : 'failure';
  const body = [s.message, s.hint && `Hint: ${s.hint}`, s.output && `The program printed:\n${s.output}`].filter(Boolean).join('\n\n');
  return [`${open}>`, `      <${element} type="${s.status}" message="${attr(s.message ?? s.status)}">${text(body)}</${element}>`, '    </testcase>'];
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Characters XML 1.0 forbids even when escaped (a program's raw output may hold any byte). */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(value: string): string {
  return value.replace(FORBIDDEN, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
