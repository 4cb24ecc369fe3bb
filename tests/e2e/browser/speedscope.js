// speedscope.js - loads speedscope JSON files written by scorch into the
// real speedscope app (npm package, served on 127.0.0.1) in headless
// Chromium and checks each imports: the title becomes "<name> - speedscope"
// and no alert, page error or "Something went wrong" view appears.
// Prints ok/FAIL lines for tests/e2e/interchange_speedscope.sh.
//
// usage: node speedscope.js APP_DIR PROFILE_DIR USER_DATA_DIR FILE=NAME...
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { launch } = require('./chromium.js');

const [appDir, profileDir, userDataDir, ...cases] = process.argv.slice(2);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
	'.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png' };

// Files under /profiles/ come from profileDir, everything else from the app.
const server = http.createServer((req, res) => {
	const url = decodeURIComponent(req.url.split('?')[0].split('#')[0]);
	const root = url.startsWith('/profiles/') ? profileDir : appDir;
	const rel = url.startsWith('/profiles/') ? url.slice('/profiles/'.length) : url.slice(1);
	const file = path.join(root, rel || 'index.html');
	if (!file.startsWith(path.resolve(root))) { res.writeHead(403); res.end(); return; }
	fs.readFile(file, (err, data) => {
		if (err) { res.writeHead(404); res.end(); return; }
		res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
		res.end(data);
	});
});

(async () => {
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = server.address().port;
	const browser = await launch(userDataDir, {}, ['--use-angle=swiftshader', '--enable-unsafe-swiftshader']);
	let failed = 0;
	try {
		for (const c of cases) {
			const eq = c.indexOf('=');
			const file = c.slice(0, eq), name = c.slice(eq + 1);
			const test = 'speedscope_imports_' + path.basename(file).replace(/\W+/g, '_');
			const page = await browser.newPage();
			const problems = [];
			page.on('pageerror', (e) => problems.push('page error: ' + e));
			page.on('dialog', async (d) => { problems.push('alert: ' + d.message()); await d.dismiss(); });
			await page.goto(`http://127.0.0.1:${port}/index.html#profileURL=/profiles/${encodeURIComponent(file)}`);
			const want = name + ' - speedscope';
			try {
				await page.waitForFunction((w) => document.title === w, want, { timeout: 20000 });
			} catch (e) {
				problems.push('title is "' + (await page.title()) + '", wanted "' + want + '"');
			}
			const body = await page.evaluate(() => document.body.innerText);
			if (/Something went wrong/.test(body))
				problems.push('"Something went wrong" view');
			if (problems.length) {
				failed++;
				console.log('FAIL ' + test + ': ' + problems.join('; '));
			} else {
				console.log('ok ' + test);
			}
			await page.close();
		}
	} finally {
		await browser.close();
		server.close();
	}
	process.exit(failed ? 1 : 0);
})().catch((e) => { console.log('FAIL speedscope_browser: ' + e); process.exit(1); });
