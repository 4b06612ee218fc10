import sharp from 'sharp';

/** Larger photos are shrunk to this many pixels on their long side: enough for receipt text. */
const MAX_SIDE = 2000;
/** A decompression bomb stops here (pixels), long before memory runs out. */
const MAX_INPUT_PIXELS = 50_000_000;

/**
 * What OCR reads best: upright (EXIF orientation applied), grey, contrast stretched, bounded size, PNG.
 * Deskewing a photo taken at an angle is left to the OCR engine (tesseract's rotateAuto).
 */
export async function prepareImage(image: Uint8Array, rotate = 0): Promise<Buffer> {
  let pipeline = sharp(image, { limitInputPixels: MAX_INPUT_PIXELS }).rotate();
  if (rotate !== 0) pipeline = sharp(await pipeline.png().toBuffer()).rotate(rotate);
  return pipeline
    .grayscale()
    .normalise()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}

/** Rejects after `ms` unless `promise` settled first; `onTimeout` runs when it gave up. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
