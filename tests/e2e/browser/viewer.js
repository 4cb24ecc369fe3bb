// viewer.js - drives a scorch HTML viewer page in headless Chromium
// (playwright-core) and checks what a user sees: the functions table in
// order of total, a click on a function that highlights it in the flame
// graph with its share of the total and lists its callers and callees,
// sorting by a column, filtering by text, and the flame graph's own zoom.  Prints ok/FAIL lines for
// tests/e2e/viewer_browser.sh, which gives the expected numbers.
//
// usage: node viewer.js HTML SCREENSHOT.png PROFILE_DIR EXPECT_JSON
// EXPECT_JSON: {"top": NAME, "topSelf": NAME, "clicks": {NAME: PCT, ...},
//               "calls": {NAME: {"callers": {LABEL: W, ...},
//                                "callees": {LABEL: W, ...}}, ...},
//               "filter": TEXT, "filtered": N}
'use strict';
const { launch, openGraph } = require('./chromium.js');

const [htmlPath, shotPath, profileDir, expectJson] = process.argv.slice(2);
const want = JSON.parse(expectJson);
let failed = 0;

function ok(name) { console.log('ok ' + name); }
function fail(name, why) { failed++; console.log('FAIL ' + name + ': ' + why); }
function check(name, cond, why) { cond ? ok(name) : fail(name, why); }

async function firstRowName(page) {
	return page.evaluate(() => {
		const rows = Array.from(document.querySelectorAll('#viewer-rows tr'))
			.filter((r) => r.style.display !== 'none');
		return rows.length ? rows[0].getAttribute('data-name') : null;
	});
}

(async () => {
	const browser = await launch(profileDir, { viewport: { width: 1250, height: 900 } });
	try {
		const { page, requests, errors } = await openGraph(browser, htmlPath);

		const rows = await page.$$eval('#viewer-rows tr', (trs) => trs.length);
		check('viewer-table-rows', rows > 0, 'no rows');
		check('viewer-top-function', (await firstRowName(page)) === want.top,
		      'first row ' + (await firstRowName(page)) + ', want ' + want.top);
		const count = await page.textContent('#viewer-count');
		check('viewer-count', count === rows + ' of ' + rows + ' functions', 'count says ' + count);

		// a click on a function highlights its frames: the share shown is
		// the share of samples whose stacks hold it
		for (const name of Object.keys(want.clicks)) {
			await page.evaluate((n) => {
				const tr = Array.from(document.querySelectorAll('#viewer-rows tr'))
					.find((r) => r.getAttribute('data-name') === n);
				tr.querySelector('a').click();
			}, name);
			const text = await page.textContent('#matched');
			const m = /Matched: ([0-9.]+)%/.exec(text || '');
			const pct = m ? parseFloat(m[1]) : NaN;
			check('viewer-click-' + name.replace(/[^A-Za-z0-9_]/g, '_'),
			      Math.abs(pct - want.clicks[name]) < 0.006,
			      `shown "${text}", expected ${want.clicks[name].toFixed(2)}%`);
		}

		// the callers/callees panel of a clicked function: every label
		// and weight as computed from the folded input, largest first
		const same = (a, b) => JSON.stringify(Object.entries(a).sort()) ===
			JSON.stringify(Object.entries(b).sort());
		for (const name of Object.keys(want.calls)) {
			const got = await page.evaluate((n) => {
				const tr = Array.from(document.querySelectorAll('#viewer-rows tr'))
					.find((r) => r.getAttribute('data-name') === n);
				tr.querySelector('a').click();
				const boxes = document.querySelectorAll('#viewer-calls > div');
				const read = (box) => {
					const m = {}, order = [];
					for (const r of box.querySelectorAll('tr[data-weight]')) {
						const w = parseFloat(r.getAttribute('data-weight'));
						m[r.cells[0].textContent] = w;
						order.push(w);
					}
					return { m, sorted: order.every((w, i) => i === 0 || order[i - 1] >= w) };
				};
				return boxes.length === 2 ? { callers: read(boxes[0]), callees: read(boxes[1]) } : null;
			}, name);
			const id = name.replace(/[^A-Za-z0-9_]/g, '_');
			if (!got) {
				fail('viewer-calls-' + id, 'no callers/callees panel');
				continue;
			}
			check('viewer-callers-' + id, same(got.callers.m, want.calls[name].callers) && got.callers.sorted,
			      'shown ' + JSON.stringify(got.callers) + ', want ' + JSON.stringify(want.calls[name].callers));
			check('viewer-callees-' + id, same(got.callees.m, want.calls[name].callees) && got.callees.sorted,
			      'shown ' + JSON.stringify(got.callees) + ', want ' + JSON.stringify(want.calls[name].callees));
		}
		// a caller in the panel is a link to that function
		const followed = await page.evaluate(() => {
			const link = document.querySelector('#viewer-calls > div a');
			if (!link)
				return null;
			const label = link.textContent;
			link.click();
			const sel = document.querySelector('#viewer-rows tr.viewer-selected');
			const h = document.querySelector('#viewer-calls h3');
			return { label, selected: sel && sel.getAttribute('data-name'), title: h && h.textContent };
		});
		check('viewer-calls-follow', followed && followed.title === 'Callers of ' + followed.label &&
		      followed.label.startsWith(followed.selected),
		      'after a click on a caller: ' + JSON.stringify(followed));

		const selected = await page.$$eval('#viewer-rows tr.viewer-selected', (t) => t.length);
		check('viewer-row-selected', selected === 1, selected + ' rows marked');
		await page.screenshot({ path: shotPath, fullPage: true });

		// sorting by Self puts the largest self first; again reverses
		await page.click('#viewer-table th:nth-child(2)');
		check('viewer-sort-self', (await firstRowName(page)) === want.topSelf,
		      'first row ' + (await firstRowName(page)) + ', want ' + want.topSelf);
		await page.click('#viewer-table th:nth-child(2)');
		const last = await page.evaluate(() => {
			const v = Array.from(document.querySelectorAll('#viewer-rows tr'))
				.map((r) => parseFloat(r.getAttribute('data-self')));
			return v.every((x, i) => i === 0 || v[i - 1] <= x);
		});
		check('viewer-sort-reverse', last, 'not ascending by self after a second click');

		// filtering
		await page.fill('#viewer-filter', want.filter);
		const shown = await page.$$eval('#viewer-rows tr', (trs) =>
			trs.filter((r) => r.style.display !== 'none').length);
		check('viewer-filter', shown === want.filtered, `${shown} rows shown, want ${want.filtered}`);

		// the flame graph still zooms on a click
		const zoomed = await page.evaluate(() => {
			const s = window.scorch_state;
			const full = s.width - 2 * s.xpad;
			for (let i = 1; i < s.frames.length; i++) {
				if (s.frames[i].w < full * 0.9) {
					s.frames[i].rect.dispatchEvent(new MouseEvent('click', { bubbles: true }));
					return Math.abs(parseFloat(s.frames[i].rect.getAttribute('width')) - full) < 0.2;
				}
			}
			return false;
		});
		check('viewer-flame-zoom', zoomed, 'a clicked frame did not fill the width');
		check('viewer-no-network', requests.length === 0, 'requests: ' + requests.join(' '));
		check('viewer-no-errors', errors.length === 0, errors.join('; '));
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
})().catch((e) => {
	console.log('FAIL viewer-run: ' + String(e).split('\n')[0]);
	process.exit(1);
});
