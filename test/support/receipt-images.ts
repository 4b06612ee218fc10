import sharp from 'sharp';

export interface ReceiptLayout {
  readonly lines: readonly string[];
  readonly font?: 'DejaVu Sans' | 'DejaVu Sans Mono' | 'DejaVu Serif';
  readonly fontSize?: number;
  /** Degrees; a photo taken at a slight angle. */
  readonly skew?: number;
  /** Gaussian blur sigma: an out-of-focus photo. */
  readonly blur?: number;
  /** Stored turned a quarter with an EXIF orientation that turns it back, as phones do. */
  readonly exifRotated?: boolean;
}

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A receipt photo drawn from text (sharp renders SVG): black on white, then skewed, blurred or turned. */
export async function receiptImage(layout: ReceiptLayout): Promise<Buffer> {
  const size = layout.fontSize ?? 28;
  const step = Math.round(size * 1.7);
  const height = step * (layout.lines.length + 1);
  const texts = layout.lines
    .map(
      (line, i) =>
        `<text x="40" y="${step * (i + 1)}" font-family="${layout.font ?? 'DejaVu Sans Mono'}" font-size="${size}" fill="#111" xml:space="preserve">${xmlText(line)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${texts}</svg>`;
  let image = sharp(Buffer.from(svg)).flatten({ background: '#fff' });
  if (layout.skew) image = sharp(await image.png().toBuffer()).rotate(layout.skew, { background: '#fff' });
  if (layout.blur) image = sharp(await image.png().toBuffer()).blur(layout.blur);
  if (layout.exifRotated)
    return sharp(await image.png().toBuffer())
      .rotate(-90)
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
  return image.png().toBuffer();
}

export const cornerCafe = (date = '14/03/2026'): ReceiptLayout => ({
  lines: [
    'CORNER CAFE',
    '12 Main Street',
    `Date: ${date}`,
    'Cappuccino        4.50',
    'Croissant         8.00',
    'TOTAL            12.50',
    'Thank you',
  ],
});
