// Runs async work over a list with at most `jobs` items in flight, keeping results in the
// input's order. Once `signal` aborts, items not yet started are skipped (their slot stays
// undefined), so Ctrl+C stops a class run after the work in progress, not after all of it.

export async function mapPool<T, R>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}
