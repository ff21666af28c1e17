// Makes web/favicon.ico (16, 32 and 48 px PNGs in an ICO) from web/workspace/assets/icon.svg with
// Debian's chromium. Run again after changing the icon: cd tests/e2e && node make-favicon.mjs
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
const svg = readFileSync(new URL('../../web/workspace/assets/icon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const pngs = [];
for (const size of [16, 32, 48]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  pngs.push([size, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } })]);
  await page.close();
}
await browser.close();
// ICO: a 6-byte header, a 16-byte entry per image, then the PNG images themselves.
const header = Buffer.alloc(6 + 16 * pngs.length);
header.writeUInt16LE(0, 0); header.writeUInt16LE(1, 2); header.writeUInt16LE(pngs.length, 4);
let offset = header.length;
pngs.forEach(([size, png], i) => {
  const e = 6 + 16 * i;
  header.writeUInt8(size, e); header.writeUInt8(size, e + 1); header.writeUInt8(0, e + 2); header.writeUInt8(0, e + 3);
  header.writeUInt16LE(1, e + 4); header.writeUInt16LE(32, e + 6);
  header.writeUInt32LE(png.length, e + 8); header.writeUInt32LE(offset, e + 12);
  offset += png.length;
});
writeFileSync(new URL('../../web/favicon.ico', import.meta.url), Buffer.concat([header, ...pngs.map(([, p]) => p)]));
