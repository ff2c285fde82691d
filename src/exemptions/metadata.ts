import { redact } from "../redact.js";
import { version } from "../version.js";

/**
 * The stamp akspol writes into `properties.metadata` of every exemption it creates or changes
 * (the README section Cluster exemptions "Metadata"). Flat keys so that Resource Graph can query them
 * (`properties.metadata.akspolOwner`); prefixed where a plain name might collide with keys ARM or
 * other tools write (ARM itself adds createdBy/updatedBy object ids to policy metadata).
 * Nothing secret goes in: only names, ids and the text the user typed, which is refused when it
 * looks like a credential.
 */
export const metadataKeys = {
  /** Always "akspol": the exemption was made or last changed by akspol. */
  managedBy: "managedBy",
  /** The akspol version that wrote it. */
  version: "akspolVersion",
  /** The owner of the desired-state file (or --owner); `apply --prune` deletes only its own. */
  owner: "akspolOwner",
  /** The change ticket, when given. */
  ticket: "ticket",
  /** Why the exemption exists (also the exemption's description). */
  reason: "reason",
  /** The principal that asked for the exemption (set when akspol creates it; never overwritten). */
  requestedBy: "requestedBy",
  requestedByObjectId: "requestedByObjectId",
  /** The principal behind akspol's latest change to an existing exemption (renew, apply update). */
  lastChangedBy: "lastChangedBy",
  lastChangedByObjectId: "lastChangedByObjectId",
} as const;

export const managedByValue = "akspol";

export interface StampInput {
  owner?: string;
  ticket?: string;
  reason: string;
  principal: { id: string; name: string };
}

/**
 * Merges akspol's keys into existing metadata, keeping keys written by ARM or people. The requester
 * of an existing exemption is kept; the principal changing it now goes into lastChangedBy.
 */
export function stampMetadata(existing: Record<string, unknown> | undefined, input: StampInput): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...(existing ?? {}) };
  metadata[metadataKeys.managedBy] = managedByValue;
  metadata[metadataKeys.version] = version;
  if (input.owner) metadata[metadataKeys.owner] = input.owner;
  if (input.ticket) metadata[metadataKeys.ticket] = input.ticket;
  else delete metadata[metadataKeys.ticket];
  metadata[metadataKeys.reason] = input.reason;
  if (metadata[metadataKeys.requestedBy] === undefined) {
    metadata[metadataKeys.requestedBy] = input.principal.name;
    metadata[metadataKeys.requestedByObjectId] = input.principal.id;
  } else {
    metadata[metadataKeys.lastChangedBy] = input.principal.name;
    metadata[metadataKeys.lastChangedByObjectId] = input.principal.id;
  }
  return metadata;
}

export function isManagedByAkspol(metadata: Record<string, unknown> | undefined): boolean {
  return metadata?.[metadataKeys.managedBy] === managedByValue;
}

/** The owner stamp, only when akspol wrote it. */
export function ownerOf(metadata: Record<string, unknown> | undefined): string | undefined {
  if (!isManagedByAkspol(metadata)) return undefined;
  const owner = metadata?.[metadataKeys.owner];
  return typeof owner === "string" && owner ? owner : undefined;
}

export function stringField(metadata: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = metadata?.[key];
  return typeof value === "string" && value ? value : undefined;
}

/** True when text contains something that looks like a token, password or secret. */
export function looksSecret(text: string): boolean {
  return redact(text) !== text;
}

/** Owner names: what people write in a file and what ARG queries match on. */
export const ownerPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
