/**
 * What a status message may contain. A message is shown in other people's clients, next to names
 * and other friends' rows, so text that changes layout outside itself is refused:
 *
 * - control characters (docs/protocol.md §1);
 * - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they reorder the
 *   text after them, so "‮gnp.exe" shows as "exe.png", and an unclosed one spills into whatever
 *   a client renders next;
 * - line and paragraph separators (U+2028, U+2029): a line break where a client expects one line;
 * - unpaired surrogates (possible in JSON `"\ud800"`): not text, and some clients fail on them;
 * - more than `MAX_COMBINING_MARKS` combining marks in a row ("Zalgo" text that runs over the rows
 *   above and below).
 *
 * Allowed: every emoji sequence (ZWJ U+200D, variation selectors, skin-tone modifiers, flags,
 * keycaps, tag sequences), the directional *marks* U+200E, U+200F and U+061C (they only nudge
 * neutral characters and cannot reorder text beyond themselves, and right-to-left writers need
 * them), and real scripts: Devanagari, Thai, Vietnamese (even decomposed), Arabic and Hebrew with
 * their vowel signs, and Tibetan stacks all stay within the limit.
 */

/**
 * Characters that show nothing: whitespace, the default-ignorable code points (zero-width space
 * U+200B, word joiner U+2060, U+FEFF, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, …)
 * and the blank braille pattern U+2800, which fonts draw empty.
 */
const SHOWS_NOTHING = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** True when `text` would show as blank: such a message is no message, such a name no name. */
export function showsNothing(text: string): boolean {
  return SHOWS_NOTHING.test(text);
}

/** The most combining marks allowed in a row (Vietnamese and Thai need 2–3; emoji keycaps 2). */
export const MAX_COMBINING_MARKS = 4;

const CONTROL = /\p{Cc}/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
const LINE_SEPARATOR = /[\u2028\u2029]/u;
// With the `u` flag a well-formed pair is one code point (not Cs); only an unpaired half matches.
const LONE_SURROGATE = /\p{Cs}/u;
// ZWJ and ZWNJ inside a run do not end it: renderers keep stacking marks across them.
const MARK_RUN = /[\p{M}\u200C\u200D]+/gu;
const MARK = /\p{M}/gu;

/** Why `text` is not an acceptable message, as a sentence that follows the field name; or null. */
export function messageTextProblem(text: string): string | null {
  if (CONTROL.test(text)) return "must not contain control characters";
  if (LONE_SURROGATE.test(text)) return "must be valid Unicode text (it has an unpaired surrogate)";
  if (BIDI_CONTROL.test(text)) {
    return "must not contain bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069)";
  }
  if (LINE_SEPARATOR.test(text)) return "must not contain line or paragraph separators (U+2028, U+2029)";
  for (const [run] of text.matchAll(MARK_RUN)) {
    if ((run.match(MARK)?.length ?? 0) > MAX_COMBINING_MARKS) {
      return `must not stack more than ${MAX_COMBINING_MARKS} combining marks on one character`;
    }
  }
  return null;
}
