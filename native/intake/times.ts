/**
 * ISO 8601 UTC with all nine fraction digits: file systems keep nanoseconds, and an examiner
 * comparing timestamps with another tool must see the same value, not one rounded to milliseconds.
 */
export function nsToIso(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const rest = ns % 1_000_000_000n;
  const base = new Date(Number(ms)).toISOString(); // 2026-01-01T00:00:00.000Z
  const fraction = (rest < 0n ? rest + 1_000_000_000n : rest).toString().padStart(9, '0');
  return `${base.slice(0, 19)}.${fraction}Z`;
}
