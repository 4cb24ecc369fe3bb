// flamegraph.js - drives a scorch flame graph SVG in headless Chromium
// (playwright-core) and checks what a user sees: hover details, click to
// zoom, Reset Zoom, search through the Search button and through Ctrl-F,
// and the reported match percentage.  Prints ok/FAIL lines for
// tests/e2e/flamegraph_browser.sh, which computes the expected numbers.
//
// usage: node flamegraph.js SVG SCREENSHOT.png TERM EXPECTED_PCT PROFILE_DIR [TAG]
// TAG (e.g. "icicle") is added to every test name.
'use strict';
const { launch, openGraph } = require('./chromium.js');

const [svgPath, shotPath, term, expectedText, profileDir, tag] = process.argv.slice(2);
const suffix = tag ? '-' + tag : '';
const expected = parseFloat(expectedText);
let failed = 0;

function ok(name) { console.log('ok ' + name + suffix); }
function fail(name, why) { failed++; console.log('FAIL ' + name + suffix + ': ' + why); }
function check(name, cond, why) { cond ? ok(name) : fail(name, why); }

async function matchedPercent(page) {
	const text = await page.textContent('#matched');
	const m = /Matched: ([0-9.]+)%/.exec(text || '');
	return { text, pct: m ? parseFloat(m[1]) : NaN };
}

(async () => {
	const browser = await launch(profileDir, { viewport: { width: 1250, height: 900 } });
	try {
		const { page, requests, errors } = await openGraph(browser, svgPath);

		const info = await page.evaluate(() => {
			const s = window.scorch_state;
			const full = s.width - 2 * s.xpad;
			// a frame a user would click: not the root, a sizeable share
			let pick = -1;
			for (let i = 1; i < s.frames.length; i++) {
				const f = s.frames[i];
				if (f.w > full * 0.1 && f.w < full * 0.6) { pick = i; break; }
			}
			return { count: s.frames.length, full, pick,
				 pickName: pick >= 0 ? s.frames[pick].name : null };
		});
		check('browser-frames', info.count > 1, 'only ' + info.count + ' frames');
		check('browser-no-network', requests.length === 0, 'requests: ' + requests.join(' '));

		// hover shows the details line
		const pickRect = `#frames > g:nth-child(${info.pick + 1}) > rect`;
		await page.hover(pickRect, { force: true });
		const details = await page.textContent('#details');
		check('browser-hover', details.includes(info.pickName) && /samples/.test(details),
		      'details: ' + details);

		// click zooms the frame to the full width and hides its neighbours
		await page.click(pickRect, { force: true });
		const zoomed = await page.evaluate((i) => {
			const s = window.scorch_state;
			const f = s.frames[i];
			return { w: parseFloat(f.rect.getAttribute('width')),
				 hidden: document.querySelectorAll('#frames > g.hide').length,
				 parents: document.querySelectorAll('#frames > g.parent').length,
				 unzoomHidden: document.getElementById('unzoom').classList.contains('hide') };
		}, info.pick);
		check('browser-zoom', Math.abs(zoomed.w - info.full) < 0.2 && !zoomed.unzoomHidden &&
		      zoomed.parents > 0, JSON.stringify(zoomed));
		check('browser-zoom-hides', zoomed.hidden > 0, 'nothing hidden after zoom');
		const zoomUrl = page.url();
		await page.screenshot({ path: shotPath.replace(/\.png$/, '-zoomed.png') });

		await page.click('#unzoom');
		const restored = await page.evaluate((i) => {
			const f = window.scorch_state.frames[i];
			return { w: parseFloat(f.rect.getAttribute('width')), orig: f.w,
				 hidden: document.querySelectorAll('#frames > g.hide').length };
		}, info.pick);
		check('browser-unzoom', Math.abs(restored.w - restored.orig) < 0.01 && restored.hidden === 0,
		      JSON.stringify(restored));

		// search through the button and a prompt
		page.once('dialog', (d) => d.accept(term));
		await page.click('#search');
		let m = await matchedPercent(page);
		check('browser-search-button', Math.abs(m.pct - expected) < 0.006,
		      `shown "${m.text}", expected ${expected.toFixed(2)}%`);
		const highlighted = await page.evaluate(() =>
			document.querySelectorAll('#frames rect[fill="rgb(230,0,230)"]').length);
		check('browser-search-highlight', highlighted > 0, 'no frame highlighted');
		await page.screenshot({ path: shotPath });

		// reset, then Ctrl-F
		await page.click('#search');
		m = await matchedPercent(page);
		check('browser-search-reset', isNaN(m.pct), 'still shows ' + m.text);
		page.once('dialog', (d) => d.accept(term));
		await page.keyboard.press('Control+f');
		m = await matchedPercent(page);
		check('browser-search-ctrl-f', Math.abs(m.pct - expected) < 0.006,
		      `shown "${m.text}", expected ${expected.toFixed(2)}%`);
		const searchUrl = page.url();
		check('browser-no-errors', errors.length === 0, errors.join('; '));

		// zoom and search state survive a reload through the URL
		await page.goto(zoomUrl);
		await page.waitForFunction(() => window.scorch_state !== null && window.scorch_state !== undefined);
		const reloaded = await page.evaluate((i) => {
			const s = window.scorch_state;
			return parseFloat(s.frames[i].rect.getAttribute('width'));
		}, info.pick);
		check('browser-url-zoom', /[?&]x=/.test(zoomUrl) && Math.abs(reloaded - info.full) < 0.2,
		      `url ${zoomUrl}, width ${reloaded}`);
		await page.goto(searchUrl);
		await page.waitForFunction(() => window.scorch_state !== null && window.scorch_state !== undefined);
		m = await matchedPercent(page);
		check('browser-url-search', Math.abs(m.pct - expected) < 0.006, `url ${searchUrl}, shown "${m.text}"`);
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
})().catch((e) => {
	console.log('FAIL browser-run' + suffix + ': ' + String(e).split('\n')[0]);
	process.exit(1);
});
