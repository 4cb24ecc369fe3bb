// diff.js - opens the HTML page of a `scorch diff` in headless Chromium
// (playwright-core) and checks what a user sees: Before, After and Delta
// columns, the biggest change first with the numbers the text table gave,
// a click on it highlighting its frames, and a blue frame for it in the
// flame graph.  Prints ok/FAIL lines for tests/e2e/diff.sh.
//
// usage: node diff.js HTML SCREENSHOT.png PROFILE_DIR EXPECT_JSON
// EXPECT_JSON: {"name": NAME, "file": FILE, "before": N, "after": N,
//               "totalBefore": N, "totalAfter": N}
'use strict';
const { launch, openGraph } = require('./chromium.js');

const [htmlPath, shotPath, profileDir, expectJson] = process.argv.slice(2);
const want = JSON.parse(expectJson);
let failed = 0;

function ok(name) { console.log('ok ' + name); }
function fail(name, why) { failed++; console.log('FAIL ' + name + ': ' + why); }
function check(name, cond, why) { cond ? ok(name) : fail(name, why); }

(async () => {
	const browser = await launch(profileDir, { viewport: { width: 1250, height: 900 } });
	try {
		const { page, requests, errors } = await openGraph(browser, htmlPath);
		const total = await page.textContent('#viewer-diff-total');
		const sum = (n) => n.toLocaleString('en-US');
		check('diff_html_totals', (total || '').startsWith('Before \u2192 after: ' + sum(want.totalBefore) +
		      ' \u2192 ' + sum(want.totalAfter) + ' samples'), 'summary "' + total + '"');
		const heads = await page.$$eval('#viewer-table th', (ths) => ths.map((t) => t.textContent.trim()));
		check('diff_html_columns', heads.slice(0, 4).join('|') === 'Function|Before|After|Delta',
		      'headings ' + heads.join('|'));
		const first = await page.evaluate(() => {
			const tr = document.querySelector('#viewer-rows tr');
			return tr ? { name: tr.getAttribute('data-name'), file: tr.getAttribute('data-file'),
				      cells: Array.from(tr.cells).map((c) => c.textContent.trim()) } : null;
		});
		const wantCells = [String(want.before), String(want.after), String(want.after - want.before)];
		check('diff_html_first_row', first && first.name === want.name && first.file === want.file &&
		      first.cells.slice(1, 4).join('|') === wantCells.join('|'),
		      'first row ' + JSON.stringify(first) + ', want ' + want.name + ' ' + wantCells.join('|'));
		// its frame in the graph is blue (it shrank), before any highlight
		const fill = await page.evaluate((n) => {
			const g = Array.from(document.querySelectorAll('#frames > g'))
				.find((x) => x.querySelector('title').textContent.startsWith(n + ' ('));
			return g ? g.querySelector('rect').getAttribute('fill') : null;
		}, want.name + ' (' + want.file + ')');
		const m = /^rgb\((\d+),(\d+),255\)$/.exec(fill || '');
		check('diff_html_frame_blue', m && m[1] === m[2] && +m[1] < 128, 'fill ' + fill);
		// a click on the row highlights the function's frames
		await page.click('#viewer-rows tr:first-child a');
		const matched = await page.textContent('#matched');
		check('diff_html_click_highlights', /Matched: [0-9.]+%/.test(matched || ''), 'matched "' + matched + '"');
		check('diff_html_no_network', requests.length === 0, 'requests: ' + requests.join(' '));
		check('diff_html_no_errors', errors.length === 0, 'page errors: ' + errors.join(' | '));
		await page.screenshot({ path: shotPath, fullPage: true });
	} catch (e) {
		fail('diff_html_browser', String(e));
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
})();
