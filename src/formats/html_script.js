// html_script.js - the script of scorch's HTML viewer page.
//
// It starts the flame graph inlined in the page (scorch_init, from
// svg_script.js), sorts the functions table by a clicked column header,
// filters it as the user types, and highlights a clicked function in the
// flame graph through scorch_search, with the matched share of the total.
// Everything comes from the page; nothing is loaded from the network.
// Turned into a C string at build time: it must not contain two
// consecutive question marks or a closing script tag.
'use strict';

function viewer_regex_escape(s) {
	return s.replace(/[.*+^${}()|[\]\\?]/g, '\\$&');
}

// The search that finds a function's frames in the flame graph, which
// label them "name", "name (file)" or "name (file:line)".
function viewer_frame_regex(name, file) {
	var re = '^' + viewer_regex_escape(name);
	if (file)
		re += ' \\(' + viewer_regex_escape(file) + '(:[0-9]+)' + '?' + '\\)';
	return re + '$';
}

function viewer_rows() {
	var body = document.getElementById('viewer-rows');
	return body ? Array.prototype.slice.call(body.rows) : [];
}

// Sorts the table by a column: numbers largest first, names A to Z; a
// second click on the same column reverses the order.
function viewer_sort(th) {
	var key = th.getAttribute('data-key');
	var numeric = key !== 'name';
	var body = document.getElementById('viewer-rows');
	var dir = th.getAttribute('data-dir') === 'down' ? 'up' : 'down';
	var heads = th.parentNode.children;
	for (var i = 0; i < heads.length; i++)
		heads[i].removeAttribute('data-dir');
	th.setAttribute('data-dir', dir);
	var rows = viewer_rows();
	rows.sort(function (a, b) {
		var x = a.getAttribute('data-' + key), y = b.getAttribute('data-' + key);
		var c = numeric ? parseFloat(y) - parseFloat(x) : x.localeCompare(y);
		return dir === 'down' ? c : -c;
	});
	for (var j = 0; j < rows.length; j++)
		body.appendChild(rows[j]);
}

// Shows only the rows whose function or file contains the typed text
// (any case); says how many are shown.
function viewer_filter(text) {
	var rows = viewer_rows();
	var needle = text.toLowerCase();
	var shown = 0;
	for (var i = 0; i < rows.length; i++) {
		var hay = (rows[i].getAttribute('data-name') + ' ' +
			   rows[i].getAttribute('data-file')).toLowerCase();
		var keep = needle === '' || hay.indexOf(needle) >= 0;
		rows[i].style.display = keep ? '' : 'none';
		if (keep)
			shown++;
	}
	var count = document.getElementById('viewer-count');
	if (count)
		count.textContent = shown + ' of ' + rows.length + ' functions';
	return shown;
}

// Highlights one function's frames in the flame graph; returns the
// matched percentage, or -1 when there is no flame graph.
function viewer_show(row) {
	var rows = viewer_rows();
	for (var i = 0; i < rows.length; i++)
		rows[i].classList.remove('viewer-selected');
	row.classList.add('viewer-selected');
	if (typeof scorch_search !== 'function' || scorch_state === null)
		return -1;
	var pct = scorch_search(viewer_frame_regex(row.getAttribute('data-name'),
						    row.getAttribute('data-file')));
	var flame = document.getElementById('viewer-flame');
	if (flame && flame.scrollIntoView)
		flame.scrollIntoView();
	return pct;
}

function viewer_init() {
	if (typeof scorch_init === 'function' && document.getElementById('frames'))
		scorch_init(null);
	var table = document.getElementById('viewer-table');
	if (!table)
		return;
	table.tHead.addEventListener('click', function (e) {
		var th = e.target.closest('th');
		if (th)
			viewer_sort(th);
	}, false);
	document.getElementById('viewer-rows').addEventListener('click', function (e) {
		var a = e.target.closest('a');
		var tr = e.target.closest('tr');
		if (a && tr) {
			e.preventDefault();
			viewer_show(tr);
		}
	}, false);
	var input = document.getElementById('viewer-filter');
	input.addEventListener('input', function () {
		viewer_filter(input.value);
	}, false);
	viewer_filter('');
}

document.addEventListener('DOMContentLoaded', viewer_init, false);
