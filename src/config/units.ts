import ms from 'ms';
import { ParseError, parseInteger } from './parsers.js';

/**
 * Sizes and durations with units, read as RabbitMQ reads them in rabbitmq.conf
 * (rabbit_resource_monitor_misc:parse_information_unit): kB, MB, GB are powers of 1000 and
 * KiB, MiB, GiB powers of 1024, whatever their case. The `bytes` package is not used because it
 * reads MB as 1024² and falls back to parseInt on anything else ('512MiB' gives 512 bytes).
 * A bare number keeps the unit it always had, so existing configs mean what they meant.
 */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  // Kubernetes' spelling of the same binary units (a pod's memory limit is often written 512Mi).
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** What the docs and messages show; the parser ignores case. */
export const SIZE_UNITS_SHOWN = 'B, kB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (powers of 1024)';
export const DURATION_UNITS_SHOWN = 'ms, s, m, h, d';

/** RabbitMQ 3.x reads k/M/G as 1024-based, 4.x as 1000-based: refused rather than guessed. */
const AMBIGUOUS = new Set(['k', 'm', 'g', 't']);

// Only splits a number from its unit; the units themselves are the table above.
const NUMBER_AND_UNIT = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;
const BARE_INTEGER = /^[+-]?\d+$/;

/** `16MB`, `512MiB`, `1.5GB` or a bare integer of bytes. */
export function parseSize(text: string): number {
  const trimmed = text.trim();
  if (BARE_INTEGER.test(trimmed)) return parseInteger(trimmed);
  const match = NUMBER_AND_UNIT.exec(trimmed);
  const unit = match?.[2]?.toLowerCase() ?? '';
  if (match === null || unit === '') throw new ParseError(`not a size: ${JSON.stringify(text)}; ${sizeHint()}`);
  const multiplier = SIZE_UNITS[unit];
  if (multiplier === undefined) {
    const why = AMBIGUOUS.has(unit)
      ? `${JSON.stringify(match[2])} means 1000 or 1024 depending on the RabbitMQ version`
      : `unknown unit ${JSON.stringify(match[2])}`;
    throw new ParseError(`${why} in ${JSON.stringify(text)}; ${sizeHint()}`);
  }
  const bytes = Number(match[1]) * multiplier;
  if (!Number.isSafeInteger(bytes)) throw new ParseError(`not a whole number of bytes: ${JSON.stringify(text)}`);
  return bytes;
}

function sizeHint(): string {
  return `write bytes or a number with a unit, e.g. 16MB or 512MiB (units: ${SIZE_UNITS_SHOWN})`;
}

/** A duration in `unitMs` units: a bare integer is already in them; `30s`, `5m`, `1h` go through ms. */
export function durationParser(unitMs: number, unitName: string): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    if (BARE_INTEGER.test(trimmed)) return parseInteger(trimmed);
    // ms() throws on an empty or over-long string and returns undefined for anything it cannot read.
    const value = trimmed === '' || trimmed.length > 100 ? undefined : (ms(trimmed as ms.StringValue) as number | undefined);
    if (value === undefined || !Number.isFinite(value)) {
      throw new ParseError(
        `not a duration: ${JSON.stringify(text)}; write ${unitName} or a number with a unit, e.g. 5s, 30m (units: ${DURATION_UNITS_SHOWN})`,
      );
    }
    const inUnits = value / unitMs;
    if (!Number.isInteger(inUnits)) throw new ParseError(`not a whole number of ${unitName}: ${JSON.stringify(text)}`);
    return inUnits;
  };
}

/** The memory watermark after resolution: a fraction of the machine's memory, or bytes. */
export type MemoryWatermark = { readonly relative: number } | { readonly absolute: number };

/**
 * `0.4` (a fraction) or `2GB` (an absolute size). A bare number above 1 is refused: it used to
 * mean bytes, so `2` meant two bytes and blocked every publisher from the first second.
 */
export function parseWatermark(text: string): MemoryWatermark {
  const trimmed = text.trim();
  const n = trimmed === '' ? NaN : Number(trimmed);
  return Number.isFinite(n) ? watermarkFromNumber(n) : { absolute: parseSize(trimmed) };
}

export function watermarkFromNumber(n: number): MemoryWatermark {
  if (n > 1) {
    throw new ParseError(
      `a bare number above 1 is ambiguous (got ${n}): write a fraction of the machine's memory such as 0.4, ` +
        `or a size with a unit such as 2GB or 512MiB`,
    );
  }
  return { relative: n };
}

/** From a config file or an embedder: a number, a string, or an already-resolved {relative} / {absolute}. */
export function watermarkFromValue(value: unknown): unknown {
  if (typeof value === 'string') return parseWatermark(value);
  if (typeof value === 'number') return watermarkFromNumber(value);
  if (typeof value === 'object' && value !== null) return value; // the schema checks its shape
  throw new ParseError(`must be a fraction such as 0.4 or a size such as "2GB" (got ${JSON.stringify(value)})`);
}
