// web_test.cjs - the browser checks of build/web, run by tests/integration/test_web.sh.
//
// Drives Debian's headless chromium through the DevTools protocol (puppeteer-core) against a
// loopback static server that test_web.sh started, and prints one "PASS name" or
// "FAIL name: why" line per check, as tests/integration/lib.sh does. Every wait is on a
// condition with a bounded limit (tens of seconds): the machine may be busy.
//
// Environment: WEB_NODE (folder holding node_modules/puppeteer-core), WEB_BASE (the page's
// folder URL, ending in "/"), WEB_SUB (the same page under a sub-path), WEB_REF (URL folder of
// the reference PNGs), WEB_DL (a folder for downloads), WEB_PROFILE (a browser profile folder),
// WEB_CHROMIUM (the browser).
'use strict';
const path = require('path');
const fs = require('fs');
const puppeteer = require(path.join(process.env.WEB_NODE, 'node_modules', 'puppeteer-core'));

const BASE = process.env.WEB_BASE;
const SUB = process.env.WEB_SUB;
const REF = process.env.WEB_REF;
const DL = process.env.WEB_DL;
const WAIT_MS = 60000; // a bound, never a pause: every wait below ends when its condition holds

let failures = 0;
function pass(name) { console.log('PASS ' + name); }
function fail(name, why) { failures++; console.log('FAIL ' + name + ': ' + why); }

// open - load a page and wait until the program has drawn its first frame.
async function open(page, url) {
  await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
  await page.waitForFunction(
    () => window.smtpsimStarted > 0 && Module._web_frames() > 0,
    { timeout: WAIT_MS, polling: 50 });
}

// settle - wait until the program ran two more frames and the token has arrived.
async function settle(page) {
  const f0 = await page.evaluate(() => Module._web_ticks());
  await page.waitForFunction(
    (f) => Module._web_ticks() >= f + 2 && Module._web_phase() === 1000,
    { timeout: WAIT_MS, polling: 20 }, f0);
}

// frames - wait until the program handled the events sent so far (two frames later; the
// frame function runs on every animation frame, drawing or idle).
async function frames(page) {
  const f0 = await page.evaluate(() => Module._web_ticks());
  await page.waitForFunction((f) => Module._web_ticks() >= f + 2,
                             { timeout: WAIT_MS, polling: 20 }, f0);
}

// compare - the canvas against a reference PNG, pixel by pixel in the page (the browser decodes
// the PNG exactly: no colour profile in SDL_image's files). Returns {w, h, over, max}.
async function compare(page, refUrl, tol) {
  return page.evaluate(async (u, t) => {
    const img = new Image();
    img.src = u;
    await img.decode();
    const c = document.getElementById('canvas');
    const o = document.createElement('canvas');
    o.width = img.width;
    o.height = img.height;
    const ox = o.getContext('2d');
    ox.drawImage(img, 0, 0);
    const want = ox.getImageData(0, 0, o.width, o.height).data;
    if (c.width !== img.width || c.height !== img.height)
      return { w: c.width, h: c.height, over: -1, max: -1 };
    const got = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let over = 0, max = 0;
    for (let i = 0; i < got.length; i += 4) {
      let d = 0;
      for (let k = 0; k < 3; k++) d = Math.max(d, Math.abs(got[i + k] - want[i + k]));
      if (d > max) max = d;
      if (d > t) over++;
    }
    return { w: c.width, h: c.height, over: over, max: max };
  }, refUrl, tol);
}

// step_to - press Right until step `want`, waiting for each token to arrive; a predict
// question that stops the way is skipped with Esc (the reference frame has no quiz panel).
async function step_to(page, want) {
  for (let guard = 0; guard < want * 3 + 10; guard++) {
    const s = await page.evaluate(() => Module._web_step());
    if (s >= want) return s;
    await page.keyboard.press('ArrowRight');
    await frames(page);
    if ((await page.evaluate(() => Module._web_step())) === s) {
      await page.keyboard.press('Escape'); // a predict stop: skip it
      await frames(page);
      continue;
    }
    await settle(page);
  }
  return page.evaluate(() => Module._web_step());
}

// TOLERANCE: 2 levels per channel, and no pixel over it. The page draws with the same C code,
// the same SDL software renderer, the same freetype, harfbuzz and SDL_ttf versions and the same
// fonts as `smtpsim shot`, so every glyph and line lands on the same pixel. What differs is
// the rounding of alpha blending: natively SDL picks SSE/AVX2 blitters for anti-aliased text,
// the wasm build SDL's portable C blitters; measured: at most 2 levels, on text edges only.
// (Without harfbuzz, glyphs moved by a pixel: 255 levels on 5% of the frame, which fails.)
const TOL = 2;

async function main() {
  const browser = await puppeteer.launch({
    executablePath: process.env.WEB_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: process.env.WEB_PROFILE,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
           '--force-device-scale-factor=1', '--window-size=1400,900'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (process.env.WEB_VERBOSE) console.log('console: ' + m.text()); });
    page.on('pageerror', (e) => console.log('page error: ' + e.message));
    await page.setViewport({ width: 1400, height: 900, deviceScaleFactor: 1 });
    const cdp = await page.target().createCDPSession();
    // downloads land in DL under their own names; the browser says when each is complete
    const done = {};
    const names = {};
    cdp.on('Browser.downloadWillBegin', (e) => { names[e.guid] = e.suggestedFilename; });
    cdp.on('Browser.downloadProgress', (e) => {
      if (e.state === 'completed') done[names[e.guid]] = true;
    });
    await cdp.send('Browser.setDownloadBehavior',
                   { behavior: 'allow', downloadPath: DL, eventsEnabled: true });
    // downloaded - wait (bounded) for a completed download whose name matches re.
    const downloaded = async (re) => {
      const t0 = Date.now();
      for (;;) {
        const n = Object.keys(done).find((k) => re.test(k));
        if (n) return n;
        if (Date.now() - t0 > WAIT_MS) return null;
        // the next progress event, or a second at most, then look again
        await Promise.race([new Promise((r) => cdp.once('Browser.downloadProgress', r)),
                            new Promise((r) => setTimeout(r, 1000))]);
      }
    };

    // 1. first frame, Right x12, the same pixels as `smtpsim shot basic --step 12 --phase 1`
    try {
      await open(page, BASE + 'index.html?size=1280x720');
      pass('web_first_frame');
      await page.focus('#canvas');
      const s = await step_to(page, 12);
      const r = await compare(page, REF + 'basic-12.png', TOL);
      if (s !== 12) fail('web_right_x12_matches_shot', 'stopped at step ' + s);
      else if (r.over !== 0)
        fail('web_right_x12_matches_shot', JSON.stringify(r) + ' (pixels over tolerance ' + TOL + ')');
      else pass('web_right_x12_matches_shot');
      const q = await page.evaluate(() => location.search);
      if (/step=12/.test(q) && /scenario=basic/.test(q)) pass('web_url_follows_step');
      else fail('web_url_follows_step', 'address is ' + q);
    } catch (e) { fail('web_right_x12_matches_shot', e.message); }

    // 2. a deep link opens at its step, theme and scenario
    try {
      await open(page, BASE + 'index.html?scenario=greylisting&step=30&theme=presenter' +
                 '&lesson=full-session&size=1280x720');
      const s = await page.evaluate(() => Module._web_step());
      if (s !== 30) fail('web_deep_link_step', 'step ' + s);
      else pass('web_deep_link_step');
      await open(page, BASE + 'index.html?scenario=greylisting&step=30&theme=presenter&size=1280x720');
      const r = await compare(page, REF + 'greylisting-30-presenter.png', TOL);
      if (r.over !== 0) fail('web_deep_link_matches_shot', JSON.stringify(r));
      else pass('web_deep_link_matches_shot');
    } catch (e) { fail('web_deep_link_step', e.message); }

    // 3. a quiz answer is saved to IndexedDB and is still there after a reload
    try {
      await open(page, BASE + 'index.html?scenario=basic&size=1280x720');
      await page.focus('#canvas');
      const before = await page.evaluate(() => Module._web_saves());
      // the first predict stop of basic: answer it with choice 1, Enter. A Right that did not
      // move on is a stop; on a busy machine a slow frame can look like one, so the answer is
      // tried again at the next stop until a save is seen.
      let answered = false;
      for (let guard = 0; guard < 60 && !answered; guard++) {
        const s = await page.evaluate(() => Module._web_step());
        await page.keyboard.press('ArrowRight');
        await frames(page);
        if ((await page.evaluate(() => Module._web_step())) === s &&
            (await page.evaluate(() => Module._web_phase())) === 1000) {
          await page.keyboard.press('1');
          await page.keyboard.press('Enter');
          await frames(page);
          await settle(page);
          answered = await page.evaluate((b) => Module._web_saves() > b ||
                                                 FS.analyzePath('/persist/progress.json').exists,
                                          before);
        } else {
          await settle(page);
        }
      }
      if (!answered) throw new Error('no predict question was answered');
      await page.waitForFunction((b) => Module._web_saves() > b, { timeout: WAIT_MS, polling: 100 },
                                 before);
      const saved = await page.evaluate(() => FS.readFile('/persist/progress.json',
                                                          { encoding: 'utf8' }));
      await open(page, BASE + 'index.html?scenario=basic&size=1280x720');
      const after = await page.evaluate(() => {
        try { return FS.readFile('/persist/progress.json', { encoding: 'utf8' }); }
        catch (e) { return ''; }
      });
      if (after && after === saved && /full-session-/.test(after)) pass('web_progress_survives_reload');
      else fail('web_progress_survives_reload', 'after reload: ' + after.slice(0, 200));
    } catch (e) {
      fail('web_progress_survives_reload', e.message + ' ' + await page.evaluate(() => JSON.stringify(
        { step: Module._web_step(), phase: Module._web_phase(), saves: Module._web_saves(),
          frames: Module._web_frames() })));
    }

    // 4. what-if: a reply step answered otherwise, downloaded as a scenario file
    try {
      await open(page, BASE + 'index.html?scenario=basic&step=' + process.env.WEB_REPLY_STEP +
                 '&size=1280x720');
      await page.focus('#canvas');
      await page.keyboard.press('w');
      await frames(page);
      for (let i = 0; i < 130; i++) await page.keyboard.press('Backspace');
      await page.keyboard.type('550 5.1.1 No such user here');
      await page.keyboard.press('Enter');
      await frames(page);
      await page.click('button[data-export="whatif"]');
      const file = await downloaded(/whatif.*\.json$/);
      if (!file) fail('web_whatif_download', 'no download in ' + DL);
      else { pass('web_whatif_download'); fs.writeFileSync(path.join(DL, 'WHATIF'), file); }
    } catch (e) { fail('web_whatif_download', e.message); }

    // 5. the same page from a sub-path of the site
    try {
      await open(page, SUB + 'index.html?scenario=dkim&step=3&size=1280x720');
      const s = await page.evaluate(() => Module._web_step());
      if (s === 3) pass('web_sub_path'); else fail('web_sub_path', 'step ' + s);
    } catch (e) { fail('web_sub_path', e.message); }

    // 6. touch: a swipe to the left steps forward
    try {
      await page.setViewport({ width: 1400, height: 900, deviceScaleFactor: 1, hasTouch: true });
      await open(page, BASE + 'index.html?scenario=dkim&step=5&size=1280x720');
      const s0 = await page.evaluate(() => Module._web_step());
      const box = await (await page.$('#canvas')).boundingBox();
      const y = box.y + box.height * 0.4;
      const pt = (x) => [{ x: x, y: y, id: 1, radiusX: 1, radiusY: 1, force: 1 }];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: pt(box.x + 700) });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: pt(box.x + 550) });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: pt(box.x + 400) });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await page.waitForFunction((s) => Module._web_step() !== s, { timeout: WAIT_MS, polling: 50 },
                                 s0);
      const s1 = await page.evaluate(() => Module._web_step());
      if (s1 === s0 + 1) pass('web_swipe_steps'); else fail('web_swipe_steps', s0 + ' -> ' + s1);
    } catch (e) { fail('web_swipe_steps', e.message); }

    // 7. while a token travels the page draws and presents only what moved: the canvas must
    // hold exactly the pixels of a whole frame of the same state (no tolerance: same renderer)
    try {
      await page.setViewport({ width: 1400, height: 900, deviceScaleFactor: 1 });
      await open(page, BASE + 'index.html?scenario=basic&step=16&size=1280x720');
      await page.focus('#canvas');
      // steps 17 to 20: tokens between different nodes, with and without an arrowhead
      let mid = 0, stepsSeen = 0, bad = '';
      for (let tries = 0; tries < 20 && stepsSeen < 4 && !bad; tries++) {
        await settle(page);
        const before = await page.evaluate(() => Module._web_step());
        await page.keyboard.press('ArrowRight');
        // one check per animation frame until the token arrives (or a predict stop holds it)
        let midHere = 0;
        for (let f = 0; f < 400 && !bad; f++) {
          const r = await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => {
            const c = document.getElementById('canvas');
            const x = c.getContext('2d');
            const phase = Module._web_phase();
            const a = x.getImageData(0, 0, c.width, c.height).data;
            Module._web_redraw_whole();
            const b = x.getImageData(0, 0, c.width, c.height).data;
            let diff = -1;
            for (let i = 0; i < a.length; i += 4)
              if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) { diff = i / 4; break; }
            res({ phase: phase, diff: diff, w: c.width });
          })));
          if (r.diff >= 0)
            bad = 'phase ' + r.phase + ': pixel (' + (r.diff % r.w) + ',' + Math.floor(r.diff / r.w) +
                  ') differs from a whole frame';
          else if (r.phase > 0 && r.phase < 1000) midHere++;
          if (r.phase >= 1000 || r.phase <= 0) break;
        }
        mid += midHere;
        if (midHere > 0) stepsSeen++;
        if (process.env.WEB_VERBOSE) console.log('step ' + before + ': ' + midHere + ' frames mid-travel');
        if (midHere === 0 && await page.evaluate(() => Module._web_step()) === before) {
          await page.keyboard.press('Escape'); // a predict stop: skip it
          await frames(page);
        }
      }
      if (bad) fail('web_partial_frames_exact', bad);
      else if (stepsSeen < 4) fail('web_partial_frames_exact', 'only ' + stepsSeen + ' steps caught mid-travel');
      else pass('web_partial_frames_exact');
    } catch (e) { fail('web_partial_frames_exact', e.message); }

    // 8. high-DPI: at devicePixelRatio 2 the canvas has the device's pixels (640x360 CSS is
    // 1280x720 drawn), the same picture as `shot` at that size; a click lands where it points
    try {
      await page.setViewport({ width: 1400, height: 900, deviceScaleFactor: 2 });
      await open(page, BASE + 'index.html?scenario=basic&step=12&size=640x360');
      const r = await compare(page, REF + 'basic-12.png', TOL);
      if (r.over !== 0) fail('web_high_dpi_matches_shot', JSON.stringify(r));
      else pass('web_high_dpi_matches_shot');
      // a click on the timeline at step 30's place, in CSS pixels
      const tl = await page.evaluate(() => [0, 1, 2, 3].map((k) => Module._web_timeline(k)));
      const n = await page.evaluate(() => Module._web_step_count());
      const box = await (await page.$('#canvas')).boundingBox();
      const want = 30;
      const x = box.x + (tl[0] + (want + 0.5) * tl[2] / n) / 2, y = box.y + (tl[1] + tl[3] / 2) / 2;
      await page.mouse.click(x, y);
      await page.waitForFunction((s) => Module._web_step() !== 12, { timeout: WAIT_MS, polling: 50 });
      const s1 = await page.evaluate(() => Module._web_step());
      if (s1 === want) pass('web_high_dpi_click'); else fail('web_high_dpi_click', 'step ' + s1);
    } catch (e) { fail('web_high_dpi_matches_shot', e.message); }
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(failures ? 1 : 0),
            (e) => { console.log('FAIL web_browser: ' + e.message); process.exit(1); });
