// svg_script.js - the script embedded in every scorch flame graph SVG.
//
// It owns the graph's interaction: hover details, click to zoom (and to
// zoom back out through the faded parent frames), Reset Zoom, search by
// regular expression (Search button, Ctrl-F or F3; Ctrl-I toggles case)
// with the matched share of the total, and the state in the URL (?x=&y=&s=).
// It reads everything from the document (the frames group's data-*
// attributes and each frame's title, rect and data-n) and never loads
// anything from the network.  Turned into a C string at build time; it
// must not contain the CDATA terminator or two consecutive question marks.
'use strict';
var scorch_state = null;

function scorch_init(evt) {
	var doc = evt && evt.target && evt.target.ownerDocument ? evt.target.ownerDocument : document;
	var group = doc.getElementById('frames');
	var s = {
		doc: doc,
		frames: [],
		total: parseFloat(group.getAttribute('data-total')),
		factor: parseFloat(group.getAttribute('data-factor')),
		width: parseFloat(group.getAttribute('data-width')),
		xpad: parseFloat(group.getAttribute('data-xpad')),
		fontsize: parseFloat(group.getAttribute('data-fontsize')),
		fontwidth: parseFloat(group.getAttribute('data-fontwidth')),
		inverted: group.getAttribute('data-inverted') === '1',
		nametype: group.getAttribute('data-nametype'),
		countname: group.getAttribute('data-countname'),
		details: doc.getElementById('details').firstChild,
		matched: doc.getElementById('matched'),
		searchbtn: doc.getElementById('search'),
		icbtn: doc.getElementById('ignorecase'),
		unzoombtn: doc.getElementById('unzoom'),
		ignorecase: false,
		term: null,
		zoomed: null
	};
	var gs = group.children;
	for (var i = 0; i < gs.length; i++) {
		var g = gs[i];
		var rect = g.getElementsByTagName('rect')[0];
		var text = g.getElementsByTagName('text')[0];
		var info = g.getElementsByTagName('title')[0].textContent;
		var cut = info.lastIndexOf(' (');
		var f = {
			g: g, rect: rect, text: text, info: info,
			name: cut >= 0 ? info.substring(0, cut) : info,
			x: parseFloat(rect.getAttribute('x')),
			y: parseFloat(rect.getAttribute('y')),
			w: parseFloat(rect.getAttribute('width')),
			n: parseFloat(g.getAttribute('data-n')),
			fill: rect.getAttribute('fill')
		};
		g.scorch_index = i;
		s.frames.push(f);
	}
	scorch_state = s;

	doc.addEventListener('click', scorch_on_click, false);
	doc.addEventListener('mouseover', function (e) {
		var f = scorch_frame_of(e.target);
		if (f)
			s.details.nodeValue = s.nametype + ' ' + f.info;
	}, false);
	doc.addEventListener('mouseout', function (e) {
		if (scorch_frame_of(e.target))
			s.details.nodeValue = ' ';
	}, false);
	window.addEventListener('keydown', function (e) {
		if (e.keyCode === 114 || (e.ctrlKey && e.keyCode === 70)) {
			e.preventDefault();
			scorch_search_prompt();
		} else if (e.ctrlKey && e.keyCode === 73) {
			e.preventDefault();
			scorch_toggle_ignorecase();
		} else if (e.keyCode === 27) {
			scorch_unzoom();
			scorch_reset_search();
		}
	}, false);

	var params = scorch_get_params();
	if (params.x && params.y) {
		var x = parseFloat(params.x), y = parseFloat(params.y);
		for (var j = 0; j < s.frames.length; j++)
			if (Math.abs(s.frames[j].x - x) < 0.01 && Math.abs(s.frames[j].y - y) < 0.01) {
				scorch_zoom(s.frames[j]);
				break;
			}
	}
	if (params.s)
		scorch_search(params.s);
}

// The frame record for an element inside a frame's <g>, or null.
function scorch_frame_of(el) {
	var s = scorch_state;
	while (el && el.parentNode) {
		if (el.scorch_index !== undefined)
			return s.frames[el.scorch_index];
		if (el.id === 'frames')
			return null;
		el = el.parentNode;
	}
	return null;
}

function scorch_on_click(e) {
	var s = scorch_state;
	var f = scorch_frame_of(e.target);
	if (f) {
		scorch_zoom(f);
		return;
	}
	var id = e.target && e.target.id;
	if (id === 'unzoom')
		scorch_unzoom();
	else if (id === 'search')
		s.term === null ? scorch_search_prompt() : scorch_reset_search();
	else if (id === 'ignorecase')
		scorch_toggle_ignorecase();
}

function scorch_get_params() {
	var params = {};
	var query;
	try {
		query = window.location.search.substring(1);
	} catch (err) {
		return params;
	}
	var parts = query.split('&');
	for (var i = 0; i < parts.length; i++) {
		var eq = parts[i].indexOf('=');
		if (eq <= 0)
			continue;
		try {
			params[parts[i].substring(0, eq)] = decodeURIComponent(parts[i].substring(eq + 1));
		} catch (err) {
			// a malformed parameter is ignored
		}
	}
	return params;
}

function scorch_set_params(changes) {
	var params = scorch_get_params();
	for (var k in changes) {
		if (changes[k] === null)
			delete params[k];
		else
			params[k] = changes[k];
	}
	var query = [];
	for (var key in params)
		query.push(key + '=' + encodeURIComponent(params[key]));
	try {
		var base = window.location.href.split('?')[0].split('#')[0];
		history.replaceState(null, '', query.length ? base + '?' + query.join('&') : base);
	} catch (err) {
		// no history (e.g. embedded): the state is just not kept
	}
}

// Writes a frame's label for a drawn width w, as the writer does.
function scorch_fit_text(f, x, w) {
	var s = scorch_state;
	var chars = Math.floor(w / (s.fontsize * s.fontwidth));
	var label = '';
	if (chars >= 3) {
		var cps = Array.from(f.name);
		label = cps.length <= chars ? f.name : cps.slice(0, chars - 2).join('') + '..';
	}
	f.text.setAttribute('x', (x + 3).toFixed(2));
	f.text.textContent = label;
}

function scorch_place(f, x, w) {
	f.rect.setAttribute('x', x.toFixed(1));
	f.rect.setAttribute('width', w.toFixed(1));
	scorch_fit_text(f, x, w);
}

// Is a at or below b's depth toward the root (an ancestor row)?
function scorch_is_below(a, b) {
	var s = scorch_state;
	return s.inverted ? a.y < b.y : a.y > b.y;
}

function scorch_zoom(target) {
	var s = scorch_state;
	var fudge = 0.0001;
	var left = target.x, right = target.x + target.w;
	var full = s.width - 2 * s.xpad;
	var scale = full / target.w;
	for (var i = 0; i < s.frames.length; i++) {
		var f = s.frames[i];
		var inside = f.x >= left - fudge && f.x + f.w <= right + fudge;
		var covers = f.x <= left + fudge && f.x + f.w >= right - fudge;
		f.g.classList.remove('parent');
		f.g.classList.remove('hide');
		if (f !== target && covers && scorch_is_below(f, target)) {
			f.g.classList.add('parent');
			scorch_place(f, s.xpad, full);
		} else if (f === target || (inside && !scorch_is_below(f, target))) {
			scorch_place(f, s.xpad + (f.x - left) * scale, f.w * scale);
		} else {
			f.g.classList.add('hide');
		}
	}
	s.zoomed = target;
	var rootish = target.w >= full - fudge;
	if (rootish) {
		s.unzoombtn.classList.add('hide');
		scorch_set_params({ x: null, y: null });
	} else {
		s.unzoombtn.classList.remove('hide');
		scorch_set_params({ x: String(target.x), y: String(target.y) });
	}
}

function scorch_unzoom() {
	var s = scorch_state;
	for (var i = 0; i < s.frames.length; i++) {
		var f = s.frames[i];
		f.g.classList.remove('parent');
		f.g.classList.remove('hide');
		scorch_place(f, f.x, f.w);
	}
	s.zoomed = null;
	s.unzoombtn.classList.add('hide');
	scorch_set_params({ x: null, y: null });
}

function scorch_toggle_ignorecase() {
	var s = scorch_state;
	s.ignorecase = !s.ignorecase;
	if (s.ignorecase)
		s.icbtn.classList.add('show');
	else
		s.icbtn.classList.remove('show');
	if (s.term !== null)
		scorch_search(s.term);
}

function scorch_search_prompt() {
	var s = scorch_state;
	var term = window.prompt('Search for a regular expression (e.g. ^ext4_)' +
		(s.ignorecase ? ', ignoring case' : '') +
		'. Ctrl-I toggles case sensitivity.', s.term === null ? '' : s.term);
	if (term !== null && term !== '')
		scorch_search(term);
}

function scorch_reset_search() {
	var s = scorch_state;
	for (var i = 0; i < s.frames.length; i++)
		s.frames[i].rect.setAttribute('fill', s.frames[i].fill);
	s.term = null;
	s.searchbtn.classList.remove('show');
	s.searchbtn.firstChild.nodeValue = 'Search';
	s.matched.firstChild.nodeValue = ' ';
	scorch_set_params({ s: null });
}

// Highlights frames whose name matches term; returns the matched share of
// the total in percent (frames inside a matched frame are counted once).
function scorch_search(term) {
	var s = scorch_state;
	var re;
	scorch_reset_search();
	try {
		re = new RegExp(term, s.ignorecase ? 'i' : '');
	} catch (err) {
		s.matched.firstChild.nodeValue = 'Invalid search: ' + term;
		return -1;
	}
	var hits = [];
	for (var i = 0; i < s.frames.length; i++) {
		var f = s.frames[i];
		if (i > 0 && re.test(f.name)) {
			f.rect.setAttribute('fill', 'rgb(230,0,230)');
			hits.push(f);
		}
	}
	s.term = term;
	s.searchbtn.classList.add('show');
	s.searchbtn.firstChild.nodeValue = 'Reset Search';
	scorch_set_params({ s: term });
	// frames nest: sorted by x, then widest first, a frame starting
	// before the end of the last counted one lies inside it
	hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
	var count = 0, end = -1;
	for (var j = 0; j < hits.length; j++) {
		if (hits[j].x >= end - 0.0001) {
			count += hits[j].n;
			end = hits[j].x + hits[j].w;
		}
	}
	var pct = s.total > 0 ? 100 * count / s.total : 0;
	var shown = Math.round(count * s.factor).toLocaleString('en-US');
	s.matched.firstChild.nodeValue = 'Matched: ' + pct.toFixed(2) + '% (' +
		shown + ' ' + s.countname + ')';
	return pct;
}
