// html_script.js - the script of scorch's HTML viewer page.
//
// It starts the flame graph inlined in the page (scorch_init, from
// svg_script.js), sorts the functions table by a clicked column header,
// filters it as the user types, and highlights a clicked function in the
// flame graph through scorch_search, with the matched share of the total,
// and lists its callers and callees (from the stack tree the page holds
// as JSON) with their shares of the function's total.
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

var viewer_calls = null;	// the stack tree: parent, row, self, total

function viewer_load_calls() {
	var el = document.getElementById('viewer-call-data');
	if (!el)
		return null;
	var d = JSON.parse(el.textContent);
	var n = d.parent.length;
	// stack ids start at 1 (0 is the root); parents come first
	d.total = new Array(n + 1).fill(0);
	for (var s = n; s >= 1; s--) {
		d.total[s] += d.self[s - 1];
		d.total[d.parent[s - 1]] += d.total[s];
	}
	return d;
}

// Callers and callees of the function in table row r.  Only the
// outermost call of r on each stack counts, so a recursive function's
// callers add up to its total, as in the table.
function viewer_calls_of(r) {
	var d = viewer_calls, n = d.parent.length;
	var inside = new Uint8Array(n + 1);	// stack has r below its top
	var callers = {}, callees = {}, total = 0;
	for (var s = 1; s <= n; s++) {
		var parent = d.parent[s - 1];
		var fn = d.row[s - 1];
		if (inside[parent]) {
			inside[s] = 1;
			continue;
		}
		if (fn !== r)
			continue;
		inside[s] = 1;
		total += d.total[s];
		var caller = parent ? d.row[parent - 1] : -2;
		callers[caller] = (callers[caller] || 0) + d.total[s];
	}
	for (var c = 1; c <= n; c++) {
		var p = d.parent[c - 1];
		if (!p || !inside[p] || d.row[p - 1] !== r)
			continue;
		// a child of an outermost call of r: an inner call's parent
		// is inside too (the root, 0, never is)
		if (inside[d.parent[p - 1]])
			continue;
		var callee = d.row[c - 1];
		callees[callee] = (callees[callee] || 0) + d.total[c];
	}
	return { total: total, callers: callers, callees: callees };
}

function viewer_row_label(r) {
	if (r === -3)
		return '[self]';
	if (r === -2)
		return '[root]';
	if (r === -1)
		return '[functions not in the table]';
	var row = document.querySelector('#viewer-rows tr[data-row="' + r + '"]');
	if (!row)
		return '[unknown]';
	var file = row.getAttribute('data-file');
	return row.getAttribute('data-name') + (file ? ' (' + file + ')' : '');
}

function viewer_calls_table(title, weights, total) {
	var box = document.createElement('div');
	var h = document.createElement('h3');
	h.textContent = title;
	box.appendChild(h);
	var keys = Object.keys(weights).map(Number);
	keys.sort(function (a, b) { return weights[b] - weights[a]; });
	var table = document.createElement('table');
	for (var i = 0; i < keys.length; i++) {
		var tr = table.insertRow();
		tr.setAttribute('data-row', keys[i]);
		tr.setAttribute('data-weight', weights[keys[i]]);
		var name = tr.insertCell();
		if (keys[i] >= 0) {
			var a = document.createElement('a');
			a.href = '#viewer-calls';
			a.textContent = viewer_row_label(keys[i]);
			name.appendChild(a);
		} else {
			name.textContent = viewer_row_label(keys[i]);
		}
		var w = tr.insertCell();
		w.className = 'num';
		w.textContent = weights[keys[i]].toLocaleString('en-US');
		var pct = tr.insertCell();
		pct.className = 'num';
		pct.textContent = (total > 0 ? 100 * weights[keys[i]] / total : 0).toFixed(2) + '%';
	}
	if (!keys.length) {
		var none = table.insertRow().insertCell();
		none.textContent = 'none';
	}
	box.appendChild(table);
	return box;
}

// Fills the panel with the callers and callees of table row r.
function viewer_show_calls(r) {
	var panel = document.getElementById('viewer-calls');
	if (!panel || !viewer_calls)
		return;
	var c = viewer_calls_of(r);
	var name = viewer_row_label(r);
	panel.textContent = '';
	panel.appendChild(viewer_calls_table('Callers of ' + name, c.callers, c.total));
	var rest = c.total;
	for (var k in c.callees)
		rest -= c.callees[k];
	if (rest > 1e-9 * c.total)
		c.callees[-3] = rest;
	panel.appendChild(viewer_calls_table('Callees of ' + name, c.callees, c.total));
}

// Highlights one function's frames in the flame graph and lists its
// callers and callees; returns the matched percentage, or -1 when there
// is no flame graph.
function viewer_show(row) {
	var rows = viewer_rows();
	for (var i = 0; i < rows.length; i++)
		rows[i].classList.remove('viewer-selected');
	row.classList.add('viewer-selected');
	viewer_show_calls(parseInt(row.getAttribute('data-row'), 10));
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
	viewer_calls = viewer_load_calls();
	document.getElementById('viewer-calls').addEventListener('click', function (e) {
		var a = e.target.closest('a');
		var tr = e.target.closest('tr');
		if (!a || !tr)
			return;
		e.preventDefault();
		var row = document.querySelector('#viewer-rows tr[data-row="' +
						  tr.getAttribute('data-row') + '"]');
		if (row)
			viewer_show(row);
	}, false);
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
