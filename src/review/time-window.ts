/** `7d`, `14d`, `12h`, `30m`, `90s` → milliseconds. @throws RangeError naming the flag and the value. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!match) throw new RangeError(`${flag} expects a duration like 7d, 12h or 30m, got ${JSON.stringify(text)}`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'ms'];
  return Number(match[1]) * unit;
}
