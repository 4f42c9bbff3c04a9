// A unified diff of two texts, line by line, for `npm run solution`: the longest common
// subsequence of lines (files here are a few hundred lines), then hunks with context.

export interface DiffLine {
  kind: ' ' | '-' | '+';
  text: string;
}

export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = a[i] === b[j] ? common[(i + 1) * width + j + 1]! + 1 : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ kind: ' ', text: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || common[(i + 1) * width + j]! >= common[i * width + j + 1]!)) {
      // Removals before additions, as diff tools show them.
      lines.push({ kind: '-', text: a[i++]! });
    } else {
      lines.push({ kind: '+', text: b[j++]! });
    }
  }
  return lines;
}

/** Hunks in unified-diff form ("@@ -l,n +l,n @@"), `context` unchanged lines around each change. */
export function unifiedHunks(lines: DiffLine[], context = 3): string[] {
  const changed = lines.map((line, index) => (line.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (!changed.length) return [];
  const out: string[] = [];
  let start = 0;
  while (start < changed.length) {
    // Changes closer than two contexts apart share a hunk.
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context) end++;
    const from = Math.max(0, changed[start]! - context);
    const to = Math.min(lines.length, changed[end]! + context + 1);
    const oldStart = 1 + lines.slice(0, from).filter((l) => l.kind !== '+').length;
    const newStart = 1 + lines.slice(0, from).filter((l) => l.kind !== '-').length;
    const hunk = lines.slice(from, to);
    out.push(`@@ -${oldStart},${hunk.filter((l) => l.kind !== '+').length} +${newStart},${hunk.filter((l) => l.kind !== '-').length} @@`);
    for (const line of hunk) out.push(`${line.kind}${line.text}`);
    start = end + 1;
  }
  return out;
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
