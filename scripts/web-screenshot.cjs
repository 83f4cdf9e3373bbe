// web-screenshot.cjs - the README's browser screenshot (assets/screenshots/web-chromium.png),
// taken from the page itself in Debian's headless chromium: the bar above the canvas and the
// window as a student sees it. Run by scripts/web-screenshot.sh, which serves build/web.
// Environment: WEB_NODE (holds node_modules/puppeteer-core), WEB_BASE (page folder URL), OUT.
'use strict';
const path = require('path');
const puppeteer = require(path.join(process.env.WEB_NODE, 'node_modules', 'puppeteer-core'));
const WAIT_MS = 60000;

(async () => {
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--force-device-scale-factor=1'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
  await page.goto(process.env.WEB_BASE + 'index.html?scenario=basic&step=12',
                  { waitUntil: 'load', timeout: WAIT_MS });
  // the token of step 12 has arrived and two more frames were drawn
  await page.waitForFunction(() => window.Module && Module._web_frames &&
                             Module._web_frames() >= 2 && Module._web_phase() === 1000,
                             { timeout: WAIT_MS, polling: 50 });
  const t = await page.evaluate(() => Module._web_ticks());
  await page.waitForFunction((t0) => Module._web_ticks() > t0 + 2, { timeout: WAIT_MS }, t);
  await page.screenshot({ path: process.env.OUT });
  await browser.close();
})().catch((e) => { console.error('web-screenshot: ' + e.message); process.exit(1); });
