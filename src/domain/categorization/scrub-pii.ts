/**
 * Removes personal data from text before it leaves for a language model: email addresses, IBANs, card
 * numbers, phone numbers and the names after "to"/"from" (as in "Transfer to Jane Doe"). It errs on the
 * side of removing: a reference number that looks like a card goes too. Names written in lower case
 * are not recognised (nothing tells them from ordinary words).
 */
/** Any word with an @ in it: addresses allow almost any character before the @, and handles are personal too. */
const EMAIL = /[^\s@]*@[^\s]*/gu;
/** Country code, check digits, then 11-30 letters/digits, optionally grouped by spaces. */
const IBAN = /\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}\b/g;
/** 12-19 digits, optionally grouped by spaces or dashes (card numbers and look-alikes). */
const CARD = /(?<!\d)\d(?:[ -]?\d){11,18}(?!\d)/g;
/** A leading + and 7+ digits, or 9+ digits, with the usual separators. */
const PHONE = /(?:\+\d(?:[ ()./-]*\d){6,}|(?<![\d+])\d(?:[ ()./-]*\d){8,})(?!\d)/g;
/** "to"/"from" and up to three capitalised words after it. */
// No `i` flag: with it `\p{Lu}` matches lower-case letters too. "to"/"from" in any case, as a word of its
// own (not the end of "a-to").
const NAME_AFTER =
  /(?<![\p{L}\p{N}'’.-])([Tt][Oo]|[Ff][Rr][Oo][Mm])(\s+)\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,2}/gu;

export function scrubPii(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(IBAN, '[iban]')
    .replace(CARD, '[card]')
    .replace(PHONE, '[phone]')
    .replace(NAME_AFTER, (_match, word: string, space: string) => `${word}${space}[name]`);
}
