// `--labs 1-3`, `--labs 1,3`, `--labs echo,chat`: which labs of the manifest a run grades.
// Always returned in manifest (teaching) order, without duplicates.

import { UsageError } from '../cli/usage-error.ts';
import { findLab, labs, type Lab } from '../manifest.ts';

const known = () => labs.map((l) => `${l.number} (${l.slug})`).join(', ');

export function selectLabs(spec: string | undefined): Lab[] {
  if (spec === undefined) return [...labs];
  const chosen = new Set<Lab>();
  for (const part of spec.split(',').map((p) => p.trim())) {
    if (!part) throw new UsageError(`--labs has an empty item in "${spec}"`);
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (from > to) throw new UsageError(`--labs range "${part}" runs backwards`);
      const inRange = labs.filter((l) => l.number >= from && l.number <= to);
      if (!inRange.length) throw new UsageError(`--labs range "${part}" holds no lab; the labs are ${known()}`);
      inRange.forEach((l) => chosen.add(l));
      continue;
    }
    const lab = findLab(part);
    if (!lab) throw new UsageError(`there is no lab "${part}"; the labs are ${known()}`);
    chosen.add(lab);
  }
  return labs.filter((l) => chosen.has(l));
}
