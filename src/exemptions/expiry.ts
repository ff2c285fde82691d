/**
 * Exemption expiry: parsing what people type, and the rules that keep exemptions from being
 * open-ended by accident (peers.md pain point E: waivers should always expire soon).
 */
export const defaultWaiverMaxDays = 90;
import type { ExemptionCategory } from "./category.js";

const dayMs = 86_400_000;

export class ExpiryError extends Error {
  constructor(
    message: string,
    readonly suggestion?: string,
  ) {
    super(message);
    this.name = "ExpiryError";
  }
}

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const relativeDays = /^\+(\d{1,5})d$/i;
// A time without a zone is read as UTC, the zone ARM stores expiresOn in.
const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function validCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Parses an expiry:
 * - `YYYY-MM-DD`: 23:59:59Z that day (the whole day stays covered);
 * - a full ISO 8601 date-time (`2025-06-30T12:00:00Z`, an offset, or no zone meaning UTC);
 * - `+Nd`: N days from `now` (UTC), to the second.
 * `allowRelative: false` refuses `+Nd` (a desired-state file must say the same thing on every run).
 */
export function parseExpiry(text: string, now: Date, options: { allowRelative?: boolean } = {}): Date {
  const value = text.trim();
  const relative = relativeDays.exec(value);
  if (relative) {
    if (options.allowRelative === false) {
      throw new ExpiryError(
        `'${value}' is relative; a desired-state file needs a fixed date so that every run means the same expiry.`,
        "Write a date (2025-06-30) or a date-time (2025-06-30T12:00:00Z).",
      );
    }
    const days = Number(relative[1]);
    if (days < 1) throw new ExpiryError(`'${value}' is not in the future.`, "Use +1d or more.");
    const whole = Math.floor(now.getTime() / 1000) * 1000;
    return new Date(whole + days * dayMs);
  }
  const date = dateOnly.exec(value);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validCalendarDate(year, month, day)) throw new ExpiryError(`'${value}' is not a calendar date.`);
    return new Date(Date.UTC(year, month - 1, day, 23, 59, 59));
  }
  const iso = isoDateTime.exec(value);
  if (iso) {
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    if (!validCalendarDate(year, month, day)) throw new ExpiryError(`'${value}' is not a calendar date.`);
    const zone = iso[8] ?? "Z";
    const normalized = `${iso[1]}-${iso[2]}-${iso[3]}T${iso[4]}:${iso[5]}:${iso[6] ?? "00"}${iso[7] ? `.${iso[7].slice(0, 3)}` : ""}${zone.toUpperCase() === "Z" ? "Z" : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
    const parsed = new Date(normalized);
    if (Number.isNaN(parsed.getTime())) throw new ExpiryError(`'${value}' is not a valid date-time.`);
    return parsed;
  }
  throw new ExpiryError(
    `'${value}' is not an expiry akspol understands.`,
    "Use a date (2025-06-30, meaning 23:59:59Z that day), an ISO 8601 date-time (2025-06-30T12:00:00Z) or days from now (+30d).",
  );
}

export interface ExpiryRule {
  category: ExemptionCategory;
  /** undefined means --no-expiry. */
  expiresOn: Date | undefined;
  now: Date;
  /** The cap for waivers, in days from now (default 90). */
  maxDays?: number;
}

/**
 * The expiry rules: it must be in the future; a waiver may be at most `maxDays` away (until the end
 * of that UTC day, so `--expires <date>` on the last allowed day passes); a mitigated exemption has no
 * cap; an exemption without expiry must be asked for explicitly (the caller passes undefined only
 * for --no-expiry), and a waiver always expires.
 */
export function checkExpiry(rule: ExpiryRule): void {
  const maxDays = rule.maxDays ?? defaultWaiverMaxDays;
  if (rule.expiresOn === undefined) {
    if (rule.category === "Waiver") {
      throw new ExpiryError(
        "A waiver must expire: --no-expiry is only for mitigated exemptions.",
        `Give --expires (at most ${maxDays} days away, --max-days changes the cap), or --category mitigated if the risk is mitigated.`,
      );
    }
    return;
  }
  if (rule.expiresOn.getTime() <= rule.now.getTime()) {
    throw new ExpiryError(`The expiry ${formatExpiry(rule.expiresOn)} is in the past (now is ${formatExpiry(rule.now)}).`, "Give a future date, or days from now such as +30d.");
  }
  if (rule.category === "Waiver") {
    const limit = waiverLimit(rule.now, maxDays);
    if (rule.expiresOn.getTime() > limit.getTime()) {
      const days = Math.ceil((rule.expiresOn.getTime() - rule.now.getTime()) / dayMs);
      throw new ExpiryError(
        `A waiver may be at most ${maxDays} days away; ${formatExpiry(rule.expiresOn)} is ${days} days away (latest allowed: ${formatExpiry(limit)}).`,
        `Choose an earlier date, raise the cap with --max-days N, or use --category mitigated if the risk is mitigated.`,
      );
    }
  }
}

/** The last instant a waiver may expire at: the end of the UTC day `maxDays` from now. */
export function waiverLimit(now: Date, maxDays: number): Date {
  const target = new Date(now.getTime() + maxDays * dayMs);
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), target.getUTCDate(), 23, 59, 59, 999));
}

/** ARM's format: yyyy-MM-ddTHH:mm:ssZ (milliseconds only when present). */
export function formatExpiry(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, "Z");
}

/** True when two expiries mean the same instant (ARM may echo milliseconds back). */
export function sameExpiry(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return new Date(a).getTime() === new Date(b).getTime();
}

export function parseMaxDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 36_500) {
    throw new ExpiryError(`Invalid --max-days '${text}'.`, "Use a whole number of days from 1 to 36500.");
  }
  return value;
}

/** `--expiring-within 15d` (or `15`). */
export function parseDayCount(text: string, flag: string): number {
  const match = /^(\d{1,5})d?$/i.exec(text.trim());
  if (!match) throw new ExpiryError(`Invalid ${flag} '${text}'.`, `Use a number of days, e.g. ${flag} 15d.`);
  return Number(match[1]);
}
