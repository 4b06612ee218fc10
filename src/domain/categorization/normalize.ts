/** How merchants and descriptions are compared: Unicode-normalised, lower case, single spaces. */
export const normalizeText = (value: string): string =>
  value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
