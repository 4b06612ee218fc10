import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubPii } from '../../src/domain/categorization/scrub-pii.js';

/** Words without digits, '@' or the words "to"/"from": text the scrubber has no reason to touch. */
const plainWord = fc.stringMatching(/^[a-z][a-z'-]{0,11}$/).filter((w) => w !== 'to' && w !== 'from');
const plainText = fc.array(plainWord, { minLength: 0, maxLength: 8 }).map((ws) => ws.join(' '));

const email = fc.emailAddress().filter((e) => !/[\s]/.test(e));
const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** 13 to 19 digits, grouped by spaces or dashes the way cards are printed (or not at all). */
const cardNumber = fc
  .tuple(fc.integer({ min: 13, max: 19 }).chain(digits), fc.constantFrom('', ' ', '-'))
  .map(([d, sep]) => (sep ? (d.match(/.{1,4}/g) as string[]).join(sep) : d));
const iban = fc
  .tuple(fc.stringMatching(/^[A-Z]{2}$/), digits(2), fc.stringMatching(/^[A-Z0-9]{11,30}$/), fc.boolean())
  .map(([cc, check, bban, grouped]) => {
    const raw = `${cc}${check}${bban}`;
    return grouped ? (raw.match(/.{1,4}/g) as string[]).join(' ') : raw;
  });
const phone = fc.oneof(
  digits(10).map((d) => `+49 ${d.slice(0, 3)} ${d.slice(3)}`),
  digits(10).map((d) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`),
);
const name = fc
  .array(fc.stringMatching(/^[A-Z][a-z]{1,10}$/), { minLength: 1, maxLength: 3 })
  .map((ws) => ws.join(' '));

/** The digits of a value, for checking that no run of them survives. */
const onlyDigits = (s: string) => s.replace(/\D/g, '');

describe('PII scrubber properties', () => {
  it('removes every email address, card number and IBAN, wherever it stands in the text', () => {
    fc.assert(
      fc.property(plainText, fc.oneof(email, cardNumber, iban), plainText, (before, secret, after) => {
        const scrubbed = scrubPii(`${before} ${secret} ${after}`);
        expect(scrubbed).not.toContain(secret);
        if (!secret.includes('@')) expect(onlyDigits(scrubbed)).not.toContain(onlyDigits(secret));
        expect(scrubbed).not.toMatch(/@/);
      }),
    );
  });

  it('removes phone numbers and the names after "to" and "from"', () => {
    fc.assert(
      fc.property(
        plainText,
        phone,
        fc.constantFrom('to', 'from', 'TO', 'From'),
        name,
        (text, number, word, who) => {
          const scrubbed = scrubPii(`${text} call ${number} transfer ${word} ${who}`);
          expect(onlyDigits(scrubbed)).toBe(onlyDigits(text));
          expect(scrubbed).not.toContain(who);
          expect(scrubbed).toContain(`${word} [name]`);
        },
      ),
    );
  });

  it('leaves text with nothing personal in it as it was, and scrubbing twice changes nothing more', () => {
    fc.assert(
      fc.property(plainText, (text) => {
        expect(scrubPii(text)).toBe(text);
      }),
    );
    fc.assert(
      fc.property(plainText, fc.oneof(email, cardNumber, iban, phone), (text, secret) => {
        const once = scrubPii(`${text} ${secret}`);
        expect(scrubPii(once)).toBe(once);
      }),
    );
  });

  it('keeps amounts, dates and short reference numbers a model needs', () => {
    expect(scrubPii('Corner Cafe 12.50 on 2025-06-03 ref 48213')).toBe(
      'Corner Cafe 12.50 on 2025-06-03 ref 48213',
    );
  });
});
