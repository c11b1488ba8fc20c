"""Render a report in headless Chromium and measure it by script: what overflows the viewport, what
leaves its box on the data map, and whether the tables sort and filter.

The report itself is loaded unchanged (its Content-Security-Policy included) in a frame of a page of
ours whose script does the measuring; `--allow-file-access-from-files` makes the two files one origin.
The result is written into our page, which `--dump-dom` prints once the frame has loaded.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

PROBE = r"""
<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="report" src="REPORT" style="width:WIDTHpx;height:900px;border:0;display:block"></iframe>
<pre id="result">not measured</pre>
<script>
function measure(w, d) {
  var out = {}, vw = d.documentElement.clientWidth;
  var recipients = d.querySelector("#recipients table"), body = recipients.tBodies[0];
  var flows = function () { return Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; })
                                 .map(function (r) { return parseInt(r.cells[5].textContent, 10); }); };
  var button = recipients.tHead.rows[0].cells[5].querySelector("button");
  button.click(); out.ascending = flows();
  button.click(); out.descending = flows(); out.ariaSort = recipients.tHead.rows[0].cells[5].getAttribute("aria-sort");
  var input = recipients.closest("section").querySelector(".tools input"), word = body.rows[0].cells[0].getAttribute("data-sort");
  input.value = word; input.dispatchEvent(new w.Event("input"));
  out.filterWord = word;
  out.filtered = Array.prototype.filter.call(body.rows, function (r) { return !r.hidden; }).map(function (r) { return r.textContent; });
  input.value = "no-such-text-anywhere"; input.dispatchEvent(new w.Event("input")); out.filteredNone = flows().length;
  input.value = ""; input.dispatchEvent(new w.Event("input")); out.rows = flows().length;
  Array.prototype.forEach.call(d.querySelectorAll("details"), function (e) { e.open = true; });
  out.page = [d.documentElement.scrollWidth, vw];
  out.overflow = [];
  out.elements = 0;
  Array.prototype.forEach.call(d.querySelectorAll("body *"), function (e) {
    var r = e.getBoundingClientRect();
    out.elements += 1;
    if (r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5) && out.overflow.length < 10) {
      out.overflow.push(e.tagName + "." + e.getAttribute("class") + " " + Math.round(r.left) + ".." + Math.round(r.right));
    }
  });
  out.scrolling = Array.prototype.filter.call(d.querySelectorAll("div.scroll"), function (e) {
    return e.scrollWidth > e.clientWidth + 1; }).length;
  out.outside = [];
  out.nodes = 0;
  Array.prototype.forEach.call(d.querySelectorAll("svg.datamap g.node"), function (g) {
    var box = g.querySelector("rect").getBBox();
    out.nodes += 1;
    Array.prototype.forEach.call(g.querySelectorAll("text"), function (t) {
      var b = t.getBBox();
      if (b.x < box.x || b.x + b.width > box.x + box.width || b.y < box.y || b.y + b.height > box.y + box.height) {
        out.outside.push(t.textContent + " " + Math.round(b.x + b.width) + ">" + Math.round(box.x + box.width));
      }
    });
  });
  var svg = d.querySelector("svg.datamap").getBoundingClientRect();
  out.map = [Math.round(svg.width), Math.round(svg.height)];
  out.title = d.title;
  return out;
}
document.getElementById("report").addEventListener("load", function () {
  var out;
  try { out = measure(this.contentWindow, this.contentDocument); } catch (e) { out = {error: String(e)}; }
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script></body></html>
"""


def chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "chrome")) if p), None)


def flags(profile: Path, width: int, height: int) -> list[str]:
    return [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}",
            f"--window-size={width},{height}"]


def measure(report: Path, width: int, workdir: Path) -> dict:
    """Open `report` in a frame `width` pixels wide, run the probe, return what it measured."""
    probe = report.parent / f"probe-{width}.html"
    probe.write_text(PROBE.replace("REPORT", report.name).replace("WIDTH", str(width)), encoding="utf-8")
    run = subprocess.run([*flags(workdir / "profile", width, 1000), "--allow-file-access-from-files", "--dump-dom",
                          probe.resolve().as_uri()], capture_output=True, text=True, timeout=240, check=True)
    found = re.search(r'<pre id="result">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stdout[-2000:] + run.stderr[-2000:]
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert text.startswith("{"), text
    return json.loads(text)
