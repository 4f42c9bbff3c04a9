// `npm run check` as an instructor meets it: the pieces it is built from (zip reading, points,
// lab selection, the JUnit writer, the Classroom workflow), one repository graded end to end,
// usage errors, and a fixture class graded in isolated copies: the solutions, the stubs, a
// broken lab, a student who edited the harness to always pass, a program that hangs, one that
// crashes at start, one that floods its output, no labs folder, a real zip and an unsafe one.
// Every CLI run gets its own temporary folder (TMPDIR), so the test can prove nothing is left
// in it, nor running from it.

import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../cli/usage-error.ts';
import { classroomWorkflow, WORKFLOW_FILE } from '../grading/classroom-workflow.ts';
import { loadExtras } from '../grading/extra-scenarios.ts';
import type { GradebookRow } from '../grading/grade-submission.ts';
import type { Gradebook } from '../grading/gradebook.ts';
import { gradebookCsv } from '../grading/gradebook.ts';
import { junitXml } from '../grading/junit-writer.ts';
import { KIT_PATHS } from '../grading/kit-integrity.ts';
import { selectLabs } from '../grading/lab-selection.ts';
import { loadPoints } from '../grading/points.ts';
import type { ResultsDocument } from '../grading/results-document.ts';
import { findSubmissions } from '../grading/submissions.ts';
import { crc32, extractZip, ZIP_LIMITS, ZipError } from '../grading/zip-reader.ts';
import { within } from '../kit/failure.ts';
import { findLab, labs, repoRoot, type Lab } from '../manifest.ts';
import { cli, type CliOptions, type CliRun } from './cli-process.ts';
import { processesMentioning } from './leftovers.ts';

// Named now, created only when a test of this file runs: a run filtered to other files
// (vitest -t) loads this module without running its hooks, and must leave nothing behind.
const work = path.join(os.tmpdir(), `socketlab-check-test-${randomUUID().slice(0, 8)}`);
beforeAll(() => mkdirSync(work));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const echo = findLab('echo')!;
const echoFixture = (name: string) => path.join(repoRoot, 'harness', 'fixtures', '01-echo', name);

describe('zip reader', () => {
  const unpack = (items: ZipItem[], skip?: (name: string) => boolean) => {
    const dest = mkdtempSync(path.join(work, 'unzip-'));
    const file = path.join(dest, '..', `${path.basename(dest)}.zip`);
    writeFileSync(file, writeZip(items));
    return { dest, result: () => extractZip(file, dest, skip) };
  };

  test('unpacks stored and deflated files and folders, never creates a symbolic link, skips what it is told to', () => {
    const big = 'all work and no play\n'.repeat(2000);
    const { dest, result } = unpack([
      { name: 'kit/' },
      { name: 'kit/labs/01-echo/server.ts', data: big },
      { name: 'kit/README.md', data: 'hello', stored: true },
      { name: 'kit/labs/01-echo/passwd', link: '/etc/passwd' },
      { name: 'kit/node_modules/x/index.js', data: 'junk' },
    ], (name) => name.includes('node_modules/'));
    const unpacked = result();
    expect(readFileSync(path.join(dest, 'kit', 'labs', '01-echo', 'server.ts'), 'utf8')).toBe(big);
    expect(readFileSync(path.join(dest, 'kit', 'README.md'), 'utf8')).toBe('hello');
    expect(existsSync(path.join(dest, 'kit', 'labs', '01-echo', 'passwd'))).toBe(false);
    expect(existsSync(path.join(dest, 'kit', 'node_modules'))).toBe(false);
    expect(unpacked.ignored).toEqual(['kit/labs/01-echo/passwd (a symbolic link)']);
    expect(unpacked).toMatchObject({ files: 2, bytes: big.length + 5 });
  });

  test.each(['../escape.txt', 'kit/../../escape.txt', '/etc/escape.txt', 'C:/escape.txt', 'kit\\..\\..\\escape.txt'])('refuses the whole archive for the unsafe path %j', (name) => {
    const { dest, result } = unpack([{ name: 'kit/ok.txt', data: 'ok' }, { name, data: 'gotcha' }]);
    expect(result).toThrow(ZipError);
    expect(result).toThrow(/unsafe path/);
    expect(existsSync(path.join(dest, '..', 'escape.txt'))).toBe(false);
  });

  test('refuses an entry larger than the limit, before inflating it', () => {
    const saved = ZIP_LIMITS.fileBytes;
    ZIP_LIMITS.fileBytes = 1000;
    try {
      expect(unpack([{ name: 'big.txt', data: 'x'.repeat(5000) }]).result).toThrow(/over the limit of/);
    } finally {
      ZIP_LIMITS.fileBytes = saved;
    }
  });

  test('a directory that under-announces a size cannot make it inflate more (a zip bomb)', () => {
    expect(unpack([{ name: 'bomb.txt', data: '\0'.repeat(1024 * 1024), claimSize: 100 }]).result).toThrow(/cannot be inflated/);
  });

  test('a damaged file fails its checksum; a file that is not a zip says so', () => {
    const zip = writeZip([{ name: 'a.txt', data: 'abcdef', stored: true }]);
    const at = 30 + 'a.txt'.length; // the first byte of the stored data
    zip.writeUInt8(zip.readUInt8(at) ^ 0xff, at);
    const file = path.join(work, 'damaged.zip');
    writeFileSync(file, zip);
    mkdirSync(path.join(work, 'damaged'));
    expect(() => extractZip(file, path.join(work, 'damaged'))).toThrow(/checksum/);
    writeFileSync(file, 'PK but not really a zip at all, just text that goes on for a while');
    expect(() => extractZip(file, path.join(work, 'damaged'))).toThrow(/not a zip archive/);
  });

  test('reads an archive made by Info-ZIP (deflate, a symbolic link, a node_modules folder)', () => {
    const dest = mkdtempSync(path.join(work, 'infozip-'));
    const result = extractZip(path.join(repoRoot, 'harness', 'fixtures', 'submissions', 'zipped.zip'), dest, (name) => name.split('/').includes('node_modules'));
    expect(readFileSync(path.join(dest, 'socketlab-main', 'labs', '01-echo', 'server.ts'), 'utf8')).toMatch(/listening on/);
    expect(result.ignored).toEqual(['socketlab-main/labs/01-echo/notes-link (a symbolic link)']);
    expect(existsSync(path.join(dest, 'socketlab-main', 'node_modules'))).toBe(false);
  });
});

describe('points', () => {
  const lab: Lab = { ...echo, scenarios: [{ id: 'a', title: 'a', hint: '' }, { id: 'b', title: 'b', hint: '', points: 4 }, { id: 'c', title: 'c', hint: '' }] };
  const file = (doc: unknown) => {
    const name = path.join(work, `points-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(name, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return name;
  };

  test('1 per scenario unless the manifest says otherwise; a lab is worth the sum', () => {
    const points = loadPoints(undefined, [lab]);
    expect([points.of(lab, 'a'), points.of(lab, 'b')]).toEqual([1, 4]);
    expect(points.ofLab(lab)).toBe(6);
  });

  test('an override file beats the manifest: per scenario first, then the lab default', () => {
    const points = loadPoints(file({ '1': { default: 2, c: 0.5 } }), [lab]);
    expect([points.of(lab, 'a'), points.of(lab, 'b'), points.of(lab, 'c')]).toEqual([2, 2, 0.5]);
    expect(points.ofLab(lab)).toBe(4.5);
  });

  test.each([
    [{ nolab: { default: 1 } }, /no lab "nolab"/],
    [{ echo: { zzz: 1 } }, /has no scenario "zzz"/],
    [{ echo: { a: -1 } }, /a number of points, 0 or more/],
    [{ echo: 3 }, /should be an object/],
    ['{ not json', /cannot read the points file/],
  ])('a mistake in the override file is a usage error: %j', (doc, message) => {
    expect(() => loadPoints(file(doc), [lab])).toThrow(UsageError);
    expect(() => loadPoints(file(doc), [lab])).toThrow(message);
  });
});

describe('--labs', () => {
  test('ranges, lists and names select labs in teaching order, without repeats', () => {
    expect(selectLabs(undefined)).toEqual(labs);
    expect(selectLabs('echo,1')).toEqual([echo]);
    expect(selectLabs(`1-${labs.at(-1)!.number}`)).toEqual(labs);
    expect(selectLabs(labs.map((l) => l.slug).reverse().join(','))).toEqual(labs);
  });

  test.each(['99', '3-1', '1,,2', 'nosuchlab', '50-60'])('%j is a usage error', (spec) => {
    expect(() => selectLabs(spec)).toThrow(UsageError);
  });
});

describe('writers', () => {
  test('junit.xml escapes markup and drops characters XML cannot hold', () => {
    const doc: ResultsDocument = {
      version: 1, status: 'fail', target: 'a & b', passed: 0, failed: 1, points: 0, possible: 1, durationMs: 5,
      labs: [{
        lab: 1, slug: 'echo', title: 'Echo', status: 'fail', outcome: 'ran', passed: 0, total: 1, points: 0, possible: 1, durationMs: 5,
        scenarios: [{ id: 'x', title: 't', status: 'timeout', message: 'got <\u0000\u001b[31m"&">', output: 'raw \u0007 bytes', durationMs: 5, points: 0, possible: 1 }],
      }],
    };
    const xml = junitXml(doc);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml).toContain('message="got &lt;\uFFFD\uFFFD[31m&quot;&amp;&quot;&gt;"');
    expect(xml).toContain('<failure type="timeout"');
    expect(xml).toContain('<testsuites name="socketlab: a &amp; b" tests="1" failures="1" errors="0"');
  });

  test('gradebook.csv quotes what needs quoting and never starts a cell with a formula', () => {
    const row = { student: '=HYPERLINK("x")', status: 'no-labs', message: 'a, "b"\nsecond line', points: 0, possible: 7, passed: 0, failed: 0, labs: [], modifiedKitFiles: [], ignored: [], durationMs: 0, results: 'x' } as GradebookRow;
    const book: Gradebook = { version: 1, generatedAt: '', possible: 7, labs: [{ lab: 1, slug: 'echo', title: 'Echo', possible: 7 }], students: [row] };
    expect(gradebookCsv(book).split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")",no-labs,0,7,0,0,0,,"a, ""b"""`);
  });
});

test('the GitHub Classroom workflow has one step per lab (regenerate: node --import tsx harness/grading/classroom-workflow.ts)', () => {
  // max-score is the lab's weight when the file was generated; instructors may change it.
  const anyScore = (yaml: string) => yaml.replace(/max-score: \d+(\.\d+)?\n/g, 'max-score: N\n');
  const committed = readFileSync(WORKFLOW_FILE, 'utf8');
  expect(anyScore(committed)).toBe(anyScore(classroomWorkflow()));
  for (const lab of labs) expect(committed).toContain(`command: npm run check -- --labs ${lab.number} --strict`);
});

/** Bound of one CLI run: a class on a machine shared with other test runs can take a while. */
const RUN_BOUND_MS = 150_000;

/** Runs `npm run check` with its own temporary folder; `onStart` may interrupt it. */
function check(args: string[], tmp: string, onStart?: CliOptions['onStart']): Promise<CliRun> {
  mkdirSync(tmp, { recursive: true });
  return cli('check', args, { env: { TMPDIR: tmp, TMP: tmp, TEMP: tmp }, withinMs: RUN_BOUND_MS, ...(onStart ? { onStart } : {}) });
}

const lines = (text: string) => text.trimEnd().split('\n');
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
/**
 * After a run: nothing runs from its temporary folder, and nothing is left in it but tsx's
 * compile cache (made by the CLI's own start-up, and meant to stay). A program killed with
 * SIGKILL takes a moment to disappear from the process table: that moment is bounded.
 */
async function expectClean(tmp: string) {
  await within(3000, `the processes started from ${tmp} to be gone`, (async () => {
    while (processesMentioning(tmp).length) await new Promise((resolve) => setTimeout(resolve, 50));
  })()).catch(() => expect(processesMentioning(tmp), 'processes left behind').toEqual([]));
  expect(readdirSync(tmp).filter((name) => !name.startsWith('tsx-')), 'temporary files left behind').toEqual([]);
}

describe('one repository', () => {
  test('--target solutions with private extra scenarios and a points file: a table, the files, and "N passed, 0 failed" last', async () => {
    // An instructor's private scenario, outside the kit, importing the kit through the alias.
    const extra = path.join(work, 'private-tests');
    mkdirSync(path.join(extra, '01-echo'), { recursive: true });
    writeFileSync(
      path.join(extra, '01-echo', 'scenarios.ts'),
      `import type { ScenarioSpec } from 'socketlab/harness/manifest.ts';\nexport const scenarios: ScenarioSpec[] = [{ id: 'private-two-lines', title: 'two lines in one write come back', hint: 'Echo each chunk.', points: 3 }];\n`,
    );
    writeFileSync(
      path.join(extra, '01-echo', 'private.lab.ts'),
      [
        `import { defineLab } from 'socketlab/harness/kit/scenario.ts';`,
        `import { findLab } from 'socketlab/harness/manifest.ts';`,
        `import { scenarios } from './scenarios.ts';`,
        `defineLab({ ...findLab('echo')!, scenarios }, {`,
        `  'private-two-lines': async ({ connect }) => { const c = await connect(); await c.send('one\\ntwo\\n'); await c.expectBytes('one\\ntwo\\n'); },`,
        `});`,
      ].join('\n'),
    );
    const pointsFile = path.join(work, 'points.json');
    writeFileSync(pointsFile, JSON.stringify({ echo: { 'large-payload': 5 } }));
    const out = path.join(work, 'one-solutions');
    const tmp = path.join(work, 'tmp-one-solutions');
    const run = await check(['--target', 'solutions', '--labs', '1', '--out', out, '--extra', extra, '--points', pointsFile], tmp);
    expect(run.code, run.stderr).toBe(0);
    const all = echo.scenarios.length + 1;
    const possible = echo.scenarios.length - 1 + 5 + 3;
    expect(lines(run.stdout).at(-1)).toBe(`${all} passed, 0 failed`);
    expect(run.stdout).toMatch(/^Lab\s+Passed\s+Points\s+Time\s+First failure$/m);
    expect(run.stdout).toMatch(new RegExp(`^1 echo\\s+${all}/${all}\\s+${possible}/${possible}\\s+\\d+\\.\\d s$`, 'm'));
    const doc = readJson<ResultsDocument>(path.join(out, 'results.json'));
    expect(doc).toMatchObject({ status: 'pass', target: 'solutions', passed: all, failed: 0, points: possible, possible });
    // Taught scenarios first, in order, then the private ones.
    expect(doc.labs[0]!.scenarios.map((s) => s.id)).toEqual([...echo.scenarios.map((s) => s.id), 'private-two-lines']);
    expect(doc.labs[0]!.scenarios.find((s) => s.id === 'large-payload')?.points).toBe(5);
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain(`tests="${all}" failures="0" errors="0"`);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/^# socketlab results: solutions/);
    await expectClean(tmp);
  });

  test('a broken echo server with --strict --json: exit 1, results.json on stdout, the first failure first, every failure explained', async () => {
    const out = path.join(work, 'one-broken');
    const tmp = path.join(work, 'tmp-one-broken');
    const run = await check(['--target', echoFixture('first-chunk-only'), '--labs', '1', '--out', out, '--strict', '--json'], tmp);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as ResultsDocument;
    expect(doc).toEqual(readJson(path.join(out, 'results.json')));
    const lab = doc.labs[0]!;
    const failed = lab.scenarios.filter((s) => s.status !== 'pass');
    expect(doc).toMatchObject({ status: 'fail', passed: lab.scenarios.length - failed.length, failed: failed.length, points: lab.scenarios.length - failed.length });
    expect(failed.map((s) => s.id)).toContain('large-payload');
    // Scenarios in teaching order; the first that failed is named before the list.
    expect(lab.scenarios.map((s) => s.id)).toEqual(echo.scenarios.map((s) => s.id));
    expect(doc.firstFailure?.id).toBe(failed[0]!.id);
    expect(Object.keys(lab).indexOf('firstFailure')).toBeLessThan(Object.keys(lab).indexOf('scenarios'));
    for (const s of failed) expect(s.message, s.id).toBeTruthy();
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report.match(/── FAIL /g)).toHaveLength(failed.length);
    expect(report).toContain('On the wire');
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain(`tests="${lab.scenarios.length}" failures="${failed.length}"`);
    await expectClean(tmp);
  });

  // Mistakes in the values themselves (--labs, --points, --extra…) are tested in-process above and below.
  test.concurrent.each([
    [['--jobs', '0'], /--jobs expects a whole number/],
    [['--cap', 'soon'], /--cap expects a number of seconds/],
    [['--target', 'no-such-folder'], /target folder not found/],
    [['--target', 'labs', '--submissions', 'x'], /exclude each other/],
    [['--labs', '99'], /no lab "99"/],
    [['--out', path.join(repoRoot, 'package.json')], /--out must be a folder/],
    [['3'], /unexpected argument "3"/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('usage error %j: one line, exit status 2', async (args, message) => {
    const run = await check(args, path.join(work, 'tmp-usage'));
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
  });

  test('a missing submissions folder or an --extra folder without labs is a usage error', async () => {
    const emptyFolder = mkdtempSync(path.join(work, 'empty-'));
    expect(() => findSubmissions(path.join(repoRoot, 'no-such-class'))).toThrow(/submissions folder not found/);
    await expect(loadExtras(emptyFolder)).rejects.toThrow(/--extra: .* holds no lab folder/);
    mkdirSync(path.join(emptyFolder, 'not-a-lab'));
    await expect(loadExtras(emptyFolder)).rejects.toThrow(/"not-a-lab" is not a lab folder/);
  });
});

describe('a class', () => {
  const classDir = path.join(work, 'class');
  const out = path.join(work, 'class-results');
  const tmp = path.join(work, 'tmp-class');
  let run: CliRun;
  let book: Gradebook;
  const row = (student: string) => book.students.find((s) => s.student === student)!;

  /** A clone of the kit as a student has it: the kit files, and `labsFrom` as labs/. */
  const clone = (dest: string, labsFrom: string) => {
    for (const entry of KIT_PATHS) {
      const from = path.join(repoRoot, entry);
      if (existsSync(from)) cpSync(from, path.join(dest, entry), { recursive: true });
    }
    cpSync(labsFrom, path.join(dest, 'labs'), { recursive: true });
  };
  /** Just a labs/ tree, with lab 1 taken from a broken fixture. */
  const labsWithEcho = (dest: string, fixture: string) => {
    cpSync(path.join(repoRoot, 'solutions'), dest, { recursive: true });
    cpSync(path.join(echoFixture(fixture), '01-echo'), path.join(dest, '01-echo'), { recursive: true });
  };

  beforeAll(async () => {
    clone(path.join(classDir, 'solutions'), path.join(repoRoot, 'solutions'));
    cpSync(path.join(repoRoot, 'labs'), path.join(classDir, 'stub'), { recursive: true });
    labsWithEcho(path.join(classDir, 'one-broken'), 'first-chunk-only');
    labsWithEcho(path.join(classDir, 'hangs'), 'blocks-event-loop');
    labsWithEcho(path.join(classDir, 'floods'), 'floods-output');
    labsWithEcho(path.join(classDir, 'crashes'), 'exits-at-once');
    // Edits the harness so that every scenario "passes", and the test script too.
    const cheats = path.join(classDir, 'cheats');
    clone(cheats, path.join(repoRoot, 'labs'));
    writeFileSync(path.join(cheats, echo.tests), `import { test } from 'vitest';\nfor (const id of ${JSON.stringify(echo.scenarios.map((s) => s.id))}) test(id, () => {});\n`);
    const pkg = readJson<{ scripts: Record<string, string> }>(path.join(cheats, 'package.json'));
    writeFileSync(path.join(cheats, 'package.json'), JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, check: 'echo 7 passed, 0 failed' } }, null, 2));
    mkdirSync(path.join(classDir, 'no-labs'));
    writeFileSync(path.join(classDir, 'no-labs', 'notes.txt'), 'I will submit next week.\n');
    cpSync(path.join(repoRoot, 'harness', 'fixtures', 'submissions', 'zipped.zip'), path.join(classDir, 'zipped.zip'));
    writeFileSync(path.join(classDir, 'unsafe.zip'), writeZip([{ name: 'labs/01-echo/server.ts', data: 'x' }, { name: '../../escaped.ts', data: 'gotcha' }]));
    writeFileSync(path.join(classDir, '.DS_Store'), 'not a student');

    run = await check(['--submissions', classDir, '--labs', '1', '--out', out], tmp);
    book = readJson<Gradebook>(path.join(out, 'gradebook.json'));
  }, RUN_BOUND_MS + 10_000);

  test('the run completes with status 0 and a summary, whatever the scores', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^10 submissions: /m);
    // No terminal: one plain progress line per submission, no bar.
    expect(run.stderr.match(/^\[\d+\/10\] /gm)).toHaveLength(10);
    expect(run.stderr).not.toMatch(/\x1b\[/);
  });

  test('the gradebook has one row per student, with the status and points each one earned', () => {
    const all = echo.scenarios.length;
    expect(book.students.map((s) => [s.student, s.status, s.points])).toEqual([
      ['cheats', 'graded', 0], // the pristine harness graded the stub they left in labs/
      ['crashes', 'graded', 0],
      ['floods', 'graded', 0],
      ['hangs', 'graded', row('hangs').points],
      ['no-labs', 'no-labs', 0],
      ['one-broken', 'graded', row('one-broken').points],
      ['solutions', 'graded', all],
      ['stub', 'graded', 0],
      ['unsafe', 'unreadable', 0],
      ['zipped', 'graded', all],
    ]);
    for (const student of book.students) expect(student.possible, student.student).toBe(all);
    expect(row('hangs').points).toBeLessThan(all);
    expect(row('one-broken').points).toBeLessThan(all);
    expect(row('one-broken').points).toBeGreaterThan(0);
  });

  test('each failure is the one the broken program deserves', () => {
    const statuses = (student: string) => Object.fromEntries(readJson<ResultsDocument>(path.join(out, student, 'results.json')).labs[0]!.scenarios.map((s) => [s.id, s.status]));
    expect(statuses('one-broken')['large-payload']).not.toBe('pass');
    expect(statuses('one-broken')['echo-text']).toBe('pass');
    expect(statuses('hangs')['echo-text']).not.toBe('pass');
    expect(statuses('floods')['echo-text']).not.toBe('pass');
    const crashed = readJson<ResultsDocument>(path.join(out, 'crashes', 'results.json')).labs[0]!.scenarios[0]!;
    expect(crashed.message).toMatch(/exited with code 0 before it printed/);
    expect(row('no-labs').message).toMatch(/no labs\/ folder/);
    expect(row('unsafe').message).toMatch(/unsafe path "\.\.\/\.\.\/escaped\.ts"/);
    expect(existsSync(path.join(work, 'escaped.ts'))).toBe(false);
  });

  test('edited kit files are flagged, not used; a labs/ tree alone or a zip without kit files flags nothing', () => {
    expect(row('cheats').modifiedKitFiles).toEqual([
      { file: echo.tests, change: 'changed' },
      { file: 'package.json', change: 'changed' },
    ]);
    for (const student of ['solutions', 'stub', 'zipped', 'one-broken']) expect(row(student).modifiedKitFiles, student).toEqual([]);
    expect(readFileSync(path.join(out, 'cheats', 'report.md'), 'utf8')).toContain('Modified kit files');
    expect(row('zipped').ignored).toEqual(['socketlab-main/labs/01-echo/notes-link (a symbolic link)']);
  });

  test('gradebook.csv: a header with per-lab columns, one row per student', () => {
    const csv = readFileSync(path.join(out, 'gradebook.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('student,status,points,possible,passed,failed,lab 1 echo,modified kit files,message');
    expect(csv).toHaveLength(11);
    const all = echo.scenarios.length;
    expect(csv).toContain(`solutions,graded,${all},${all},${all},0,${all},,`);
    expect(csv.find((line) => line.startsWith('cheats,'))).toContain(`${echo.tests} (changed); package.json (changed)`);
  });

  test('every student has the files of the one-repository case, with bounded size and no temporary paths', () => {
    for (const student of book.students) {
      for (const file of ['results.json', 'junit.xml', 'report.md']) {
        const full = path.join(out, student.student, file);
        expect(existsSync(full), full).toBe(true);
        expect(statSync(full).size, full).toBeLessThan(1024 * 1024);
        expect(readFileSync(full, 'utf8'), full).not.toContain(tmp);
      }
    }
    expect(readFileSync(path.join(out, 'one-broken', 'report.md'), 'utf8')).toContain('Lab 1 · Echo server · one-broken/labs');
  });

  test('nothing is left running, and every temporary copy is gone', async () => {
    await expectClean(tmp);
    expect(processesMentioning(classDir)).toEqual([]);
  });
});

describe('a submission that never ends', () => {
  test('a lab run over its cap is stopped and gets the status "timed-out"', async () => {
    const classDir = path.join(work, 'class-cap');
    cpSync(path.join(echoFixture('blocks-event-loop')), path.join(classDir, 'frozen'), { recursive: true });
    const tmp = path.join(work, 'tmp-cap');
    const out = path.join(work, 'cap-results');
    const run = await check(['--submissions', classDir, '--labs', '1', '--out', out, '--cap', '1.5'], tmp);
    expect(run.code).toBe(0);
    const frozen = readJson<Gradebook>(path.join(out, 'gradebook.json')).students[0]!;
    expect(frozen).toMatchObject({ student: 'frozen', status: 'timed-out', points: 0 });
    expect(frozen.message).toMatch(/did not finish within 1\.5 s/);
    await expectClean(tmp);
  });

  test.runIf(process.platform !== 'win32')('Ctrl+C stops a class run: exit 130, no process, no temporary copy, no gradebook', async () => {
    const classDir = path.join(work, 'class-interrupt');
    cpSync(path.join(echoFixture('blocks-event-loop')), path.join(classDir, 'frozen'), { recursive: true });
    const tmp = path.join(work, 'tmp-interrupt');
    const out = path.join(work, 'interrupt-results');
    const run = await check(['--submissions', classDir, '--labs', '1', '--out', out], tmp, (child) => {
      // Interrupt once the student's program runs from its temporary copy, like a person pressing Ctrl+C.
      void within(30_000, 'a learner program to start from the temporary copy', (async () => {
        while (!processesMentioning(path.join('01-echo', 'server.ts')).some((line) => line.includes(tmp))) await new Promise((resolve) => setTimeout(resolve, 50));
      })()).then(() => child.kill('SIGINT'));
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/Interrupted/);
    expect(existsSync(path.join(out, 'gradebook.csv'))).toBe(false);
    await expectClean(tmp);
  });
});

// ---- a tiny zip writer, so the reader's tests need no zip tool ---------------------------

interface ZipItem {
  name: string;
  data?: string;
  /** Store a symbolic link to this target (unix mode bits in the directory). */
  link?: string;
  stored?: boolean;
  /** Announce this uncompressed size instead of the true one. */
  claimSize?: number;
}

function writeZip(items: ZipItem[]): Buffer {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = Buffer.from(item.name);
    const data = Buffer.from(item.link ?? item.data ?? '');
    const method = item.stored || item.link !== undefined || item.name.endsWith('/') ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const size = item.claimSize ?? data.length;
    const mode = item.link !== undefined ? 0o120777 : item.name.endsWith('/') ? 0o40755 : 0o100644;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    directory.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const dir = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}
