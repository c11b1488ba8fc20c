"""What the audit report carries besides its content: the style sheet, the small script that sorts
and filters its tables, and the Content-Security-Policy that lets that one script run and nothing else.

The script is inline and fetches nothing; the policy names it by its SHA-256, so a string from the
scanned project that escaping somehow let through as markup still could not run or load anything.
Without the script (a viewer that runs none) every table and every collapsed block is still there.
"""

from __future__ import annotations

import base64
import hashlib

SCRIPT = r"""
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
  function cellKey(cell) {
    var v = cell ? cell.getAttribute("data-sort") : "";
    return v === null ? cell.textContent.trim() : v;
  }
  function sortBy(table, th, column) {
    var body = table.tBodies[0], ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.map.call(body.rows, function (r) { return [cellKey(r.cells[column]), r]; });
    rows.sort(function (a, b) { var c = collator.compare(a[0], b[0]); return ascending ? c : -c; });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (pair) { fragment.appendChild(pair[1]); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function filterTool(table) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows), texts = null;
    var tools = document.createElement("div"), input = document.createElement("input"), count = document.createElement("span");
    tools.className = "tools"; input.type = "search"; input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter the rows of this table"); count.className = "count";
    var total = rows.length + (rows.length === 1 ? " row" : " rows");
    count.textContent = total;
    input.addEventListener("input", function () {
      texts = texts || rows.map(function (r) { return r.textContent.toLowerCase(); });
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      rows.forEach(function (r, i) {
        var match = terms.every(function (t) { return texts[i].indexOf(t) >= 0; });
        r.hidden = !match; shown += match ? 1 : 0;
      });
      count.textContent = terms.length ? shown + " of " + total : total;
    });
    tools.appendChild(input); tools.appendChild(count);
    var holder = table.parentNode.classList.contains("scroll") ? table.parentNode : table;
    holder.parentNode.insertBefore(tools, holder);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button"; button.title = "Sort by this column";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, column); });
    });
    filterTool(table);
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
""".strip()


def content_security_policy() -> str:
    """Nothing may load; the one script runs by its hash, the one style sheet inline."""
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


CSS = """
:root { --ink:#1d2733; --muted:#5f6f7e; --line:#dde3e9; --soft:#f5f7f9; --accent:#1f4e79;
  --abroad:#c0392b; --unknown:#d68910; --approved:#2e6da4; --home:#8fa3b0; }
* { box-sizing:border-box; }
body { margin:0; background:#eef1f4; color:var(--ink);
  font:14px/1.5 -apple-system, "Segoe UI", "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
main { max-width:1240px; margin:24px auto; background:#fff; padding:36px 44px; box-shadow:0 1px 4px rgba(0,0,0,.08); }
code, pre, .loc { font-family:ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size:12.5px; }
h1 { font-size:28px; margin:2px 0 6px; letter-spacing:-.01em; }
h2 { font-size:19px; margin:34px 0 6px; padding-bottom:6px; border-bottom:2px solid var(--accent); color:var(--accent); }
.kicker { text-transform:uppercase; letter-spacing:.08em; font-size:12px; color:var(--muted); margin:0; }
.meta, .intro, footer, .small, .sub { color:var(--muted); }
.meta { margin:0; font-size:13px; } .intro { margin:4px 0 12px; } .small { font-size:12px; }
header.title { border-bottom:1px solid var(--line); padding-bottom:16px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(130px, 1fr)); gap:10px; }
.card { border:1px solid var(--line); border-radius:6px; padding:10px 12px; background:var(--soft); }
.card .label { font-size:11.5px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); }
.card .value { font-size:24px; font-weight:600; } .card .sub { font-size:12px; }
.card.alert { border-color:var(--abroad); background:#fdf1ef; }
table { width:100%; border-collapse:collapse; margin:8px 0; font-size:13px; }
th, td, code, .loc, dd, summary, h1, .meta { overflow-wrap:break-word; }
thead th { overflow-wrap:normal; }
div.scroll { overflow-x:auto; max-width:100%; }
th, td { text-align:left; vertical-align:top; padding:7px 9px; border-bottom:1px solid var(--line); }
thead th { background:var(--soft); font-size:11.5px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted);
  border-bottom:2px solid var(--line); }
th.juris { font-size:15px; background:#fafbfc; white-space:nowrap; } th.juris .sub { display:block; font-size:11px; font-weight:400; }
.num { text-align:right; }
ul.plain { list-style:none; margin:0; padding:0; }
.badge, .pill, .sev { display:inline-block; border-radius:10px; padding:1px 8px; font-size:11.5px; font-weight:600; white-space:nowrap; }
.badge.abroad, .pill.abroad { background:#fbe4e1; color:var(--abroad); }
.badge.approved, .pill.approved { background:#e2edf8; color:var(--approved); }
.badge.unknown, .pill.unknown { background:#fcefd9; color:#9a6200; }
.badge.home, .pill.home { background:#e8eef1; color:#4b5d6a; }
.badge.sensitive { background:#f3e5f5; color:#7b1fa2; }
.sev-error { color:var(--abroad); } .sev-warning { color:#9a6200; } .sev-note { color:var(--approved); }
span.sev.sev-error { background:#fbe4e1; } span.sev.sev-warning { background:#fcefd9; } span.sev.sev-note { background:#e2edf8; }
.card .sev { font-weight:500; padding:0 6px; }
figure.map { margin:8px 0; border:1px solid var(--line); border-radius:6px; padding:12px; }
svg.datamap { width:100%; height:auto; display:block; }
svg.datamap text { font-family:-apple-system, "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
svg.datamap .colhead { font-size:11px; font-weight:700; letter-spacing:.06em; fill:#5f6f7e; }
svg.datamap .node rect { fill:#fff; stroke:#b8c4ce; }
svg.datamap .node.cat rect { fill:#f3f7fb; } svg.datamap .node.cat.sensitive rect { fill:#f7eef9; stroke:#9c4dcc; stroke-width:1.5; }
svg.datamap .node.abroad rect { fill:#fdf3f1; stroke:#e6b3ac; } svg.datamap .node.unknown rect { fill:#fdf7ec; stroke:#e8c98f; }
svg.datamap .node.approved rect { fill:#eef4fb; stroke:#a9c4e2; } svg.datamap .node.home rect { fill:#f3f6f8; }
svg.datamap .t1 { font-size:12.5px; font-weight:600; fill:#1d2733; } svg.datamap .t2 { font-size:10.5px; fill:#5f6f7e; }
svg.datamap .edge { opacity:.85; }
.legend { display:flex; flex-wrap:wrap; gap:18px; margin-top:8px; font-size:12.5px; color:var(--muted); }
.legend .key { display:inline-flex; align-items:center; gap:6px; }
.swatch.sensitive { display:inline-block; width:16px; height:12px; border:1.5px solid #9c4dcc; background:#f7eef9; border-radius:3px; }
article.finding { border:1px solid var(--line); border-left:4px solid var(--abroad); border-radius:6px; padding:12px 16px; margin:12px 0; }
article.finding.severity-warning { border-left-color:var(--unknown); } article.finding.severity-note { border-left-color:var(--approved); }
article.finding header { font-size:14px; display:flex; flex-wrap:wrap; gap:4px 8px; align-items:baseline; }
article.finding .right { margin-left:auto; color:var(--muted); }
article.finding .msg { margin:6px 0; font-weight:500; }
.suppressed { margin:4px 0; color:#9a6200; font-size:13px; }
dl { display:grid; grid-template-columns:110px minmax(0, 1fr); gap:2px 10px; margin:8px 0; font-size:13px; }
dt { color:var(--muted); } dd { margin:0; }
ol.trace { margin:8px 0 0; padding-left:22px; font-size:13px; } ol.trace li { margin:4px 0; }
.hop .loc { color:var(--accent); }
pre.code { margin:3px 0 0; padding:5px 8px; background:#f6f8fa; border:1px solid #e6eaee; border-radius:4px;
  white-space:pre-wrap; word-break:break-all; }
pre.code mark { background:#fff1b8; color:inherit; border-radius:2px; padding:0 1px; }
pre.code .ln { display:inline-block; min-width:34px; color:#98a6b3; user-select:none; }
.empty { color:var(--muted); font-style:italic; }
thead th button { all:unset; cursor:pointer; display:block; } thead th button:focus-visible { outline:2px solid var(--accent); }
thead th[aria-sort=ascending] button::after { content:" \25B2"; } thead th[aria-sort=descending] button::after { content:" \25BC"; }
.tools { display:flex; align-items:center; gap:10px; margin:8px 0 0; }
.tools input { font:inherit; padding:4px 8px; border:1px solid var(--line); border-radius:4px; width:min(320px, 60%); }
.tools .count { color:var(--muted); font-size:12px; }
details > summary { cursor:pointer; }
details.more > summary { color:var(--accent); font-size:12.5px; }
details.vendor { border:1px solid var(--line); border-radius:6px; margin:10px 0; padding:0 14px; }
details.vendor > summary { padding:10px 0; font-size:14.5px; }
details.vendor > summary .small { margin-left:6px; }
details.trace > summary { color:var(--accent); font-size:12.5px; margin-top:6px; }
ul.functions { margin:4px 0; padding-left:18px; font-size:12.5px; }
footer { margin-top:36px; padding-top:10px; border-top:1px solid var(--line); font-size:12px; }
@page { size:A4; margin:14mm; }
@media print {
  body { background:#fff; font-size:11.5px; } main { box-shadow:none; margin:0; padding:0; max-width:none; }
  article.finding, tr, .card { break-inside:avoid; } h2 { break-after:avoid; } .tools { display:none; }
  * { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
}
"""
