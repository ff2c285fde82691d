import { stringOption, type OptionSpec, type ParsedInput } from "./option-spec.js";
import { UsageError } from "../errors.js";
import { defaultWaiverMaxDays, parseExpiry, parseMaxDays } from "../exemptions/expiry.js";
import { expiryToUsage } from "../exemptions/validate.js";

/** --expires, --no-expiry and --max-days, shared by `exempt create` and `exempt renew`. */
export function expiryOptionSpecs(noExpiryDescription: string): OptionSpec[] {
  return [
    { flags: "--expires <date>", description: "YYYY-MM-DD (23:59:59Z that day), an ISO date-time, or +Nd (days from now)" },
    { flags: "--no-expiry", description: noExpiryDescription },
    { flags: "--max-days <n>", description: `longest a waiver may last, in days (default ${defaultWaiverMaxDays})` },
  ];
}

export function parseMaxDaysOption(value: string | undefined): number | undefined {
  try {
    return parseMaxDays(value);
  } catch (error) {
    return expiryToUsage(error);
  }
}

export interface ExpiryFlags {
  expires?: string;
  noExpiry: boolean;
  maxDays?: number;
}

export function parseExpiryFlags(input: ParsedInput): ExpiryFlags {
  const expires = stringOption(input, "expires");
  const noExpiry = input.options.expiry === false;
  if (expires && noExpiry) throw new UsageError("Choose either --expires or --no-expiry.");
  return { expires, noExpiry, maxDays: parseMaxDaysOption(stringOption(input, "maxDays")) };
}

/** The date --expires names, read against now (undefined when not given); a bad value is a usage error. */
export function expiryFromFlag(text: string | undefined, now: Date): Date | undefined {
  if (!text) return undefined;
  try {
    return parseExpiry(text, now);
  } catch (error) {
    return expiryToUsage(error);
  }
}
