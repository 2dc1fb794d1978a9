import sharp from 'sharp';

/**
 * Benign pictures the demo draws itself (landscapes of shapes), and the edits a picture meets on
 * its way round the internet, so the demo's known-material list can be matched exactly and by PDQ.
 */
export interface Scene { seed: number; title: string }

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sceneSvg(scene: Scene, width: number, height: number): string {
  const r = rand(scene.seed);
  const hue = Math.floor(r() * 360);
  const hills = Array.from({ length: 4 }, (_, i) => {
    const y = height * (0.45 + i * 0.12);
    const pts = Array.from({ length: 9 }, (_, k) => `${(k * width) / 8},${y - r() * height * 0.25}`).join(' ');
    return `<polygon points="0,${height} ${pts} ${width},${height}" fill="hsl(${(hue + 40 + i * 25) % 360},${35 + i * 10}%,${30 + i * 8}%)"/>`;
  }).join('');
  const sun = `<circle cx="${width * (0.15 + r() * 0.7)}" cy="${height * (0.12 + r() * 0.2)}" r="${height * (0.06 + r() * 0.06)}" fill="hsl(${(hue + 180) % 360},90%,75%)"/>`;
  const houses = Array.from({ length: 3 }, () => {
    const x = r() * width * 0.85;
    const y = height * (0.62 + r() * 0.2);
    const s = height * (0.06 + r() * 0.05);
    return `<rect x="${x}" y="${y}" width="${s * 1.4}" height="${s}" fill="hsl(${Math.floor(r() * 360)},60%,60%)"/>`
      + `<polygon points="${x - s * 0.1},${y} ${x + s * 0.7},${y - s * 0.7} ${x + s * 1.5},${y}" fill="hsl(10,55%,38%)"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,${55 + r() * 20}%)"/><stop offset="1" stop-color="hsl(${(hue + 30) % 360},60%,88%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>${sun}${hills}${houses}
    <text x="${width * 0.04}" y="${height * 0.95}" font-family="sans-serif" font-size="${Math.round(height * 0.05)}" fill="white">${scene.title}</text>
  </svg>`;
}

/** A camera-like JPEG of the scene, with a little EXIF as cameras write it. */
export async function drawScene(scene: Scene, width = 1600, height = 1200): Promise<Buffer> {
  return sharp(Buffer.from(sceneSvg(scene, width, height)))
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Kestrel Demo', Model: 'Drawn Camera', Software: 'kestrel demo' } })
    .toBuffer();
}

export type Edit = 'resized' | 'recompressed' | 'mirrored' | 'rotated' | 'cropped' | 'greyscale' | 'png';

/** One of the everyday edits that change every byte (and so the MD5) but not what the picture shows. */
export async function editPicture(jpeg: Buffer, edit: Edit): Promise<Buffer> {
  const img = sharp(jpeg);
  switch (edit) {
    case 'resized': return img.resize({ width: 640 }).jpeg({ quality: 85 }).toBuffer();
    case 'recompressed': return img.jpeg({ quality: 40 }).toBuffer();
    case 'mirrored': return img.flop().jpeg({ quality: 88 }).toBuffer();
    case 'rotated': return img.rotate(90).jpeg({ quality: 88 }).toBuffer();
    case 'cropped': {
      const meta = await sharp(jpeg).metadata();
      const w = meta.width ?? 0;
      const h = meta.height ?? 0;
      return img.extract({ left: Math.round(w * 0.015), top: Math.round(h * 0.015), width: Math.round(w * 0.97), height: Math.round(h * 0.97) }).jpeg({ quality: 88 }).toBuffer();
    }
    case 'greyscale': return img.greyscale().jpeg({ quality: 88 }).toBuffer();
    case 'png': return img.png().toBuffer();
  }
}
