/**
 * Terminal-safe display of text akspol did not write itself: names, descriptions, reasons and tickets
 * read from Azure, a file or the command line (docs/issues/09.md). An escape sequence in an exemption's
 * description must not clear the reader's screen, move the cursor, retitle the window or hide text.
 *
 * Removed: escape sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-character ESC sequences), C0 control
 * characters except newline and tab, DEL, C1 control characters, carriage returns, and the Unicode
 * bidirectional overrides and isolates ("Trojan Source", CVE-2021-42574), which reorder what is shown.
 */

// ESC [ ... final byte | ESC ] ... (BEL | ESC \) | ESC P/X/^/_ ... ESC \ | ESC + one byte; the 8-bit CSI/OSC forms too.
const escapeSequence =
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b\]|\u009d)[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|(?:\u001b[PX^_]|[\u0090\u0098\u009e\u009f])[^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
const controlCharacter = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The colours and weights the IO object paints with; kept (only those) when colour is on. */
const ownStyle = /\u001b\[(?:1|2|22|31|32|33|36|39)m/g;

/** Every escape sequence starts with ESC or a C1 character, both control characters: text without any is already safe. */
const anyControlCharacter = new RegExp(controlCharacter.source);

/** True when safeText would return `text` unchanged. */
export function isTerminalSafe(text: string): boolean {
  return !anyControlCharacter.test(text);
}

export function safeText(text: string): string {
  // One scan for the common case (a large JSON report has nothing to remove) instead of two replaces.
  if (!anyControlCharacter.test(text)) return text;
  return text.replace(escapeSequence, "").replace(controlCharacter, "");
}

/**
 * Like safeText, but keeps the IO object's own colour codes, for whole lines it is about to print.
 * The same codes inside foreign text survive too; they can only colour or embolden, never move,
 * clear, hide or retitle anything.
 */
export function safeTextKeepingStyle(text: string): string {
  if (!anyControlCharacter.test(text)) return text;
  const codes = text.match(ownStyle) ?? [];
  return text
    .split(ownStyle)
    .map((piece, index) => safeText(piece) + (codes[index] ?? ""))
    .join("");
}
