// Draws the widget's PNG logos in the sizes Kommo lists (docs/kommo-contract.md §6.1) with plain
// Node: an RGBA raster, our mark (a speech bubble with a bridge in it) and, on the wide logos, the
// name in a small pixel font. Run once after changing the design: node scripts/make-logos.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../static/images');
const TEAL = [14, 124, 134, 255];
const WHITE = [255, 255, 255, 255];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(width, height, pixels) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    pixels.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function canvas(width, height) {
  const pixels = Buffer.alloc(width * height * 4);
  // Four samples per pixel soften the edges of every shape.
  const fill = (inside, color) => {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        let hits = 0;
        for (const [dx, dy] of [
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ]) {
          if (inside(x + dx, y + dy)) hits += 1;
        }
        if (hits === 0) continue;
        const at = (y * width + x) * 4;
        const alpha = (hits / 4) * (color[3] / 255);
        for (let i = 0; i < 3; i += 1) {
          pixels[at + i] = Math.round(color[i] * alpha + pixels[at + i] * (1 - alpha));
        }
        pixels[at + 3] = Math.round(255 * (alpha + (pixels[at + 3] / 255) * (1 - alpha)));
      }
    }
  };
  return { width, height, pixels, fill };
}

const roundedRect = (x0, y0, w, h, r) => (x, y) => {
  const cx = Math.min(Math.max(x, x0 + r), x0 + w - r);
  const cy = Math.min(Math.max(y, y0 + r), y0 + h - r);
  return x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};

/** The mark in a square of side `s` at (ox, oy): a white bubble holding a teal bridge. */
function drawMark(c, ox, oy, s) {
  const bx = ox + s * 0.12;
  const by = oy + s * 0.14;
  const bw = s * 0.76;
  const bh = s * 0.56;
  c.fill(roundedRect(bx, by, bw, bh, s * 0.12), WHITE);
  // The bubble's tail, bottom left.
  c.fill((x, y) => {
    const top = by + bh - 1;
    const t = (y - top) / (s * 0.16);
    return t >= 0 && t <= 1 && x >= bx + s * 0.18 && x <= bx + s * 0.18 + s * 0.16 * (1 - t);
  }, WHITE);
  // The bridge: a thick arch over a deck, with two piers.
  const cx = ox + s / 2;
  const deck = by + bh * 0.72;
  const span = bw * 0.36;
  c.fill((x, y) => {
    const d = Math.hypot((x - cx) / span, (y - deck) / (bh * 0.5));
    return y <= deck && d <= 1 && d >= 0.72;
  }, TEAL);
  c.fill(
    (x, y) => x >= cx - span * 1.15 && x <= cx + span * 1.15 && y >= deck && y <= deck + s * 0.05,
    TEAL,
  );
  for (const px of [cx - span * 0.55, cx + span * 0.55]) {
    c.fill((x, y) => Math.abs(x - px) <= s * 0.025 && y >= deck - bh * 0.3 && y <= deck, TEAL);
  }
}

// 5×7 letters for "GPT Bridge", one string per row.
const FONT = {
  G: ['01110', '10001', '10000', '10111', '10001', '10001', '01110'],
  P: ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'],
  B: ['11110', '10001', '10001', '11110', '10001', '10001', '11110'],
  r: ['00000', '00000', '10110', '11001', '10000', '10000', '10000'],
  i: ['00100', '00000', '01100', '00100', '00100', '00100', '01110'],
  d: ['00001', '00001', '01101', '10011', '10001', '10011', '01101'],
  g: ['00000', '01111', '10001', '10001', '01111', '00001', '01110'],
  e: ['00000', '00000', '01110', '10001', '11111', '10000', '01110'],
  ' ': ['000', '000', '000', '000', '000', '000', '000'],
};

function textWidth(text, scale) {
  return [...text].reduce((sum, ch) => sum + (FONT[ch][0].length + 1) * scale, -scale);
}

function drawText(c, text, ox, oy, scale) {
  // Whole-pixel origin: cells on fractional edges would blend twice and show seams.
  let x0 = Math.round(ox);
  oy = Math.round(oy);
  for (const ch of text) {
    const glyph = FONT[ch];
    glyph.forEach((row, gy) =>
      [...row].forEach((bit, gx) => {
        if (bit !== '1') return;
        const left = x0 + gx * scale;
        const top = oy + gy * scale;
        c.fill((x, y) => x >= left && x < left + scale && y >= top && y < top + scale, WHITE);
      }),
    );
    x0 += (glyph[0].length + 1) * scale;
  }
}

function logo(width, height, layout) {
  const c = canvas(width, height);
  c.fill(roundedRect(0, 0, width, height, Math.min(width, height) * 0.16), TEAL);
  if (layout === 'mark') {
    const s = Math.min(width, height);
    drawMark(c, (width - s) / 2, (height - s) / 2, s);
  } else if (layout === 'row') {
    drawMark(c, 0, 0, height);
    const scale = Math.floor((width - height - 8) / textWidth('GPT Bridge', 1));
    drawText(c, 'GPT Bridge', height, (height - 7 * scale) / 2, scale);
  } else {
    const s = height * 0.66;
    drawMark(c, (width - s) / 2, height * 0.04, s);
    const scale = Math.floor(Math.min((width * 0.8) / textWidth('GPT Bridge', 1), height * 0.035));
    drawText(c, 'GPT Bridge', (width - textWidth('GPT Bridge', scale)) / 2, height * 0.74, scale);
  }
  return png(width, height, c.pixels);
}

// Sizes from Kommo's images/ page; logo_dp is only needed for digital_pipeline, which we skip.
const LOGOS = [
  ['logo_min.png', 84, 84, 'mark'],
  ['logo_small.png', 108, 108, 'mark'],
  ['logo.png', 130, 100, 'mark'],
  ['logo_medium.png', 240, 84, 'row'],
  ['logo_main.png', 400, 272, 'stack'],
];
for (const [name, width, height, layout] of LOGOS) {
  const file = path.join(OUT, name);
  writeFileSync(file, logo(width, height, layout));
  process.stdout.write(`${name} ${width}x${height}\n`);
}
