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

module.exports = { launch };
