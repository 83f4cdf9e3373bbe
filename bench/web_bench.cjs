// web_bench.cjs - browser figures for bench/run_web_bench.sh: time from navigation to the first
// frame (median of RUNS loads) and the median frame time at 1920x1080 (Module._web_bench: the
// token travels every frame, drawn by the C code and put on the canvas, as
// `smtpsim shot --bench-frames` measures natively; then the step changes every frame).
// Environment: WEB_NODE (holds node_modules/puppeteer-core), WEB_BASE (page folder URL).
'use strict';
const path = require('path');
const puppeteer = require(path.join(process.env.WEB_NODE, 'node_modules', 'puppeteer-core'));
const RUNS = 7, FRAMES = 300, WAIT_MS = 60000;

function median(a) { const s = a.slice().sort((x, y) => x - y); return s[s.length >> 1]; }

(async () => {
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--force-device-scale-factor=1',
           '--window-size=1920,1200'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1920, height: 1200, deviceScaleFactor: 1 });
  const first = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(process.env.WEB_BASE + 'index.html?scenario=basic&step=8&size=1920x1080',
                    { waitUntil: 'load', timeout: WAIT_MS });
    await page.waitForFunction(() => window.Module && Module.firstFrameMs > 0,
                               { timeout: WAIT_MS, polling: 20 });
    first.push(await page.evaluate(() => Module.firstFrameMs));
  }
  console.log('navigation to first frame (loopback, median of ' + RUNS + ' loads, the first ' +
              'uncached): ' + median(first).toFixed(0) + ' ms  (all: ' +
              first.map((x) => x.toFixed(0)).join(' ') + ')');
  // the token travelling (partial frames), then the step changing every frame (whole frames)
  for (const whole of [0, 1]) {
    const us = [], copy = [], p95 = [];
    for (let i = 0; i < 3; i++) {
      us.push(await page.evaluate((n, w) => Module._web_bench(n, w), FRAMES, whole));
      copy.push(await page.evaluate(() => Module._web_bench_copy_us()));
      p95.push(await page.evaluate(() => Module._web_bench_p95_us()));
    }
    const ms = (a) => a.map((x) => (x / 1000).toFixed(2)).join(' ');
    console.log((whole ? 'frame median at 1920x1080, the step changing every frame (all drawn ' +
                         'again)'
                       : 'frame median at 1920x1080, the token travelling') +
                ' (' + FRAMES + ' frames, median of 3 runs): ' + (median(us) / 1000).toFixed(2) +
                ' ms  (runs: ' + ms(us) + '; p95: ' + ms(p95) + '; of which the present: ' +
                ms(copy) + ')');
  }
  // a high-DPI screen: the same 1920x1080 CSS pixels at devicePixelRatio 2 (3840x2160 drawn)
  await page.setViewport({ width: 1920, height: 1200, deviceScaleFactor: 2 });
  await page.goto(process.env.WEB_BASE + 'index.html?scenario=basic&step=8&size=1920x1080',
                  { waitUntil: 'load', timeout: WAIT_MS });
  await page.waitForFunction(() => window.Module && Module.firstFrameMs > 0,
                             { timeout: WAIT_MS, polling: 20 });
  const hi = [];
  for (const whole of [0, 1])
    hi.push(await page.evaluate((n, w) => Module._web_bench(n, w), FRAMES / 3, whole));
  const size = await page.evaluate(() => document.getElementById('canvas').width + 'x' +
                                         document.getElementById('canvas').height);
  console.log('at devicePixelRatio 2 (canvas ' + size + ', ' + FRAMES / 3 + ' frames): ' +
              'token travelling ' + (hi[0] / 1000).toFixed(2) + ' ms, step changing ' +
              (hi[1] / 1000).toFixed(2) + ' ms');
  await browser.close();
})().catch((e) => { console.error('web_bench: ' + e.message); process.exit(1); });
