// chromium.js - starts Debian's headless Chromium through playwright-core
// for the browser tests, with the flags this machine needs (no sandbox as
// root; no background networking, which the closed network refuses).
// NODE_MODULES names the folder that holds playwright-core.
'use strict';
const path = require('path');
const { chromium } = require(path.join(process.env.NODE_MODULES, 'playwright-core'));

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

// A browser context with a fresh profile in profileDir (playwright passes
// --user-data-dir); extraFlags are added, options go to playwright.
function launch(profileDir, options, extraFlags) {
	return chromium.launchPersistentContext(profileDir, Object.assign({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: FLAGS.concat(extraFlags || []),
	}, options || {}));
}

// Opens a local file in a new page of browser and waits until its flame
// graph script has started; returns the page and the lists it keeps of
// requests that left the machine and of page errors.
async function openGraph(browser, file) {
	const page = await browser.newPage();
	const requests = [];
	const errors = [];
	page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	await page.goto('file://' + path.resolve(file));
	await page.waitForFunction(() => window.scorch_state !== null && window.scorch_state !== undefined);
	return { page, requests, errors };
}

module.exports = { launch, openGraph };
