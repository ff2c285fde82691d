// One self-contained HTML page (no external scripts, styles or fonts): summary, the cluster x member
// matrix, filters by subscription and severity, and the findings. The data is embedded once as JSON and
// rendered by the page's own script, which keeps 2,000 clusters small; when the matrix is drawn the page
// sets <html data-state="rendered">, and after each filter data-shown="<rows shown>" (tests wait on these).
import { cellStates } from "../matrix.js";
import { ruleById } from "../rules.js";
import { summaryLine } from "./text.js";
import type { AuditReport, CellState } from "../types.js";

const cellCode: Record<CellState, string> = {
  deny: "D",
  warn: "W",
  audit: "A",
  disabled: "-",
  excluded: "X",
  exempt: "E",
  "exemption-expired": "!",
  "no-addon": "N",
  none: ".",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** JSON safe inside <script>: no "</script>", no U+2028/2029 surprises. */
function embed(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function renderHtml(report: AuditReport): string {
  const subscriptions = [...new Map(report.clusters.map((view) => [view.subscriptionId.toLowerCase(), view.subscriptionName])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const subscriptionIndex = new Map(subscriptions.map(([id], index) => [id, index]));
  const clusterIndex = new Map(report.clusters.map((view, index) => [view.id.toLowerCase(), index]));
  const severityOf = ["high", "medium", "low", "info"];
  const data = {
    members: report.members,
    states: Object.fromEntries(cellStates.map((state) => [cellCode[state], state])),
    subscriptions: subscriptions.map(([, name]) => name),
    // [name, subscription index, resource group, one cell code per member]
    clusters: report.clusters.map((view) => [
      view.name,
      subscriptionIndex.get(view.subscriptionId.toLowerCase()) ?? -1,
      view.resourceGroup,
      view.members.map((member) => cellCode[member.state]).join(""),
    ]),
    // [severity index, rule, title, resource, cluster indexes, message, command]
    findings: report.findings.map((finding) => [
      severityOf.indexOf(finding.severity),
      finding.ruleId,
      ruleById.get(finding.ruleId)?.title ?? "",
      finding.resource,
      finding.clusters.map((id) => clusterIndex.get(id.toLowerCase()) ?? -1).filter((index) => index >= 0),
      finding.message,
      finding.command ?? finding.recommendation,
    ]),
  };
  const failed = report.scopes.filter((scope) => scope.status === "failed");
  return `<!doctype html>
<html lang="en" data-state="loading">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>akspol audit ${escapeHtml(report.generatedAt)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.summary{background:#f3f5f7;padding:.6rem .8rem;border-radius:6px}
.bad{color:#b00020}
.filters{margin:1rem 0;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
table{border-collapse:collapse}th,td{padding:2px 6px;text-align:left;vertical-align:top}
#matrix th.m{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;font-size:12px;padding:4px 2px}
#matrix td.c{width:18px;text-align:center;font:12px ui-monospace,monospace;border:1px solid #fff}
#matrix tbody tr:nth-child(even){background:#fafbfc}
.s-D{background:#2e7d32;color:#fff}.s-W{background:#9ccc65}.s-A{background:#ffd54f}.s--{background:#bdbdbd}
.s-X{background:#ff9800;color:#fff}.s-E{background:#7e57c2;color:#fff}.s-\\!{background:#d81b60;color:#fff}
.s-N{background:#212121;color:#fff}.s-\\.{background:#ef9a9a}
.legend span{display:inline-block;padding:0 6px;margin-right:4px;border-radius:3px}
.sev-high{color:#b00020;font-weight:600}.sev-medium{color:#c56000;font-weight:600}.sev-low{color:#1565c0}.sev-info{color:#555}
#findings td{border-bottom:1px solid #e5e7ea}code{font-size:12px}
</style>
</head>
<body>
<h1>akspol audit</h1>
<p class="summary">${escapeHtml(summaryLine(report))}<br>Generated ${escapeHtml(report.generatedAt)} by akspol ${escapeHtml(report.tool.version)}.</p>
${failed.length ? `<p class="bad">Not read (coverage incomplete): ${failed.map((scope) => escapeHtml(`${scope.label}: ${scope.error?.message ?? "error"}`)).join("; ")}</p>` : ""}
<div class="filters">
<label>Subscription <select id="f-sub"><option value="">all</option></select></label>
<label>Severity <select id="f-sev"><option value="">any</option><option value="0">high</option><option value="1">medium or higher</option><option value="2">low or higher</option><option value="3">info or higher</option></select></label>
<span id="shown"></span>
</div>
<h2>Clusters by member</h2>
<p class="legend">${cellStates.map((state) => `<span class="s-${escapeHtml(cellCode[state])}">${escapeHtml(cellCode[state])}</span>${escapeHtml(state)}`).join(" ")}</p>
<table id="matrix"><thead><tr><th>Cluster</th><th>Subscription</th></tr></thead><tbody></tbody></table>
<h2>Findings</h2>
<table id="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Fix</th></tr></thead><tbody></tbody></table>
<script id="audit-data" type="application/json">${embed(data)}</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("audit-data").textContent);
  var sev = ["high", "medium", "low", "info"];
  var sub = document.getElementById("f-sub"), sevSel = document.getElementById("f-sev");
  data.subscriptions.forEach(function (name, i) { var o = document.createElement("option"); o.value = String(i); o.textContent = name; sub.appendChild(o); });
  var head = document.querySelector("#matrix thead tr");
  data.members.forEach(function (m) { var th = document.createElement("th"); th.className = "m"; th.textContent = m; head.appendChild(th); });
  var worst = data.clusters.map(function () { return 9; });
  data.findings.forEach(function (f) { f[4].forEach(function (c) { if (f[0] < worst[c]) worst[c] = f[0]; }); });
  var rows = [], body = document.querySelector("#matrix tbody"), frag = document.createDocumentFragment();
  data.clusters.forEach(function (c) {
    var tr = document.createElement("tr"), html = "<td>" + esc(c[0]) + "</td><td>" + esc(data.subscriptions[c[1]] || "") + "</td>";
    for (var i = 0; i < c[3].length; i++) { var k = c[3][i]; html += '<td class="c s-' + k + '" title="' + esc(data.members[i] + ": " + data.states[k]) + '">' + k + "</td>"; }
    tr.innerHTML = html; rows.push(tr); frag.appendChild(tr);
  });
  body.appendChild(frag);
  var fbody = document.querySelector("#findings tbody"), frows = [], ffrag = document.createDocumentFragment();
  data.findings.forEach(function (f) {
    var tr = document.createElement("tr");
    tr.innerHTML = '<td class="sev-' + sev[f[0]] + '">' + sev[f[0]] + "</td><td>" + esc(f[1] + " " + f[2]) + "</td><td><code>" + esc(f[3].split("/").pop()) + "</code></td><td>" + esc(f[5]) + "</td><td><code>" + esc(f[6]) + "</code></td>";
    frows.push(tr); ffrag.appendChild(tr);
  });
  fbody.appendChild(ffrag);
  function esc(t) { return String(t).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function apply() {
    var s = sub.value === "" ? -1 : Number(sub.value), v = sevSel.value === "" ? 9 : Number(sevSel.value), shown = 0, fshown = 0;
    data.clusters.forEach(function (c, i) {
      var ok = (s < 0 || c[1] === s) && (v === 9 || worst[i] <= v);
      rows[i].hidden = !ok; if (ok) shown++;
    });
    data.findings.forEach(function (f, i) {
      var ok = (v === 9 || f[0] <= v) && (s < 0 || f[4].length === 0 || f[4].some(function (c) { return data.clusters[c][1] === s; }));
      frows[i].hidden = !ok; if (ok) fshown++;
    });
    document.getElementById("shown").textContent = shown + " of " + data.clusters.length + " clusters, " + fshown + " of " + data.findings.length + " findings";
    document.documentElement.dataset.shown = String(shown);
    document.documentElement.dataset.findingsShown = String(fshown);
  }
  sub.addEventListener("change", apply); sevSel.addEventListener("change", apply);
  apply();
  document.documentElement.dataset.state = "rendered";
})();
</script>
</body>
</html>
`;
}
