#!/usr/bin/env node
/**
 * PNG copies of SVG figures, for pages that embed images where SVG is not welcome (some Markdown renderers, slides):
 * each FOLDER/<name>/figure.svg becomes figure.png beside it, drawn by Chromium at its own size and 2× pixel density.
 * Usage: node scripts/figures_png.mjs [FOLDER] (default docs/experiments); CHROMIUM=/path overrides /usr/bin/chromium.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(process.argv[2] ?? 'docs/experiments');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`figures_png: no Chromium at ${executablePath} (install it, e.g. apt-get install -y chromium, or set CHROMIUM)`);
  process.exit(1);
}
const svgs = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'figure.svg')))
  .map((d) => join(root, d.name, 'figure.svg'));
const browser = await chromium.launch({ executablePath, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  for (const svg of svgs) {
    // The SVG's own width and height attributes give the page size, so nothing is cropped or padded.
    const head = readFileSync(svg, 'utf8').slice(0, 400);
    const width = Math.ceil(Number(/width="([\d.]+)"/.exec(head)?.[1] ?? 800));
    const height = Math.ceil(Number(/height="([\d.]+)"/.exec(head)?.[1] ?? 600));
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 2 });
    await page.goto(pathToFileURL(svg).href);
    const png = svg.replace(/\.svg$/, '.png');
    await page.screenshot({ path: png });
    await page.close();
    console.log(`${png} (${width}×${height})`);
  }
} finally {
  await browser.close();
}
