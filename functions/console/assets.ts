/**
 * The console's stylesheet and script, served by the app itself (no CDN, no build step). The
 * script only refreshes a page whose run is in progress: every action is a plain form, so the
 * console works without it.
 */
export const CONSOLE_CSS = `
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#ffffff; --soft:#f6f8fa; --accent:#0a58ca;
  --good:#1a7f37; --warn:#8a5a00; --bad:#c0262d; --ask:#0550ae; --busy:#6639ba; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--soft); flex-wrap: wrap; }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); }
.crumbs { list-style: none; display: flex; gap: .4rem; margin: 0; padding: 0; color: var(--muted); }
.crumbs li + li::before { content: "/"; margin-right: .4rem; }
.who { margin-left: auto; color: var(--muted); }
.roles { font-size: .85em; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.45rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--soft); }
td { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85em; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.badge.good { color: var(--good); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); }
.badge.ask { color: var(--ask); } .badge.busy { color: var(--busy); } .badge.quiet { color: var(--muted); }
.muted { color: var(--muted); }
.reason { max-width: 40rem; overflow-wrap: anywhere; }
.waiting { border: 2px solid var(--ask); border-radius: .5rem; padding: .6rem 1rem; margin-bottom: 1.2rem; }
.waiting h2 { margin-top: .2rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .7rem 1rem; }
.card dt { color: var(--muted); font-size: .85em; } .card dd { margin: 0 0 .4rem; overflow-wrap: anywhere; }
form.inline { display: inline; }
form.action { border: 1px solid var(--line); border-radius: .5rem; padding: .8rem 1rem; margin: .6rem 0; background: var(--soft); }
button { font: inherit; padding: .35rem .9rem; border-radius: .4rem; border: 1px solid var(--line); background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
button.link { border: 0; background: none; color: var(--accent); padding: 0; text-decoration: underline; }
label { margin-right: 1rem; }
textarea, input[type=text], input[type=password] { font: inherit; padding: .3rem .5rem; border: 1px solid var(--muted); border-radius: .3rem; }
textarea { width: 100%; max-width: 40rem; }
.message { padding: .6rem 1rem; border-left: 4px solid var(--bad); background: var(--soft); }
.notice { padding: .6rem 1rem; border-left: 4px solid var(--good); background: var(--soft); }
.chart { max-width: 100%; height: auto; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart .challenger { stroke: var(--accent); fill: var(--accent); }
.chart .champion { stroke: var(--warn); fill: none; }
.chart polyline.challenger, .chart polyline.champion { fill: none; stroke-width: 2; }
.chart .threshold { stroke: var(--bad); stroke-dasharray: 6 4; stroke-width: 1.5; }
.legend { display: flex; gap: 1.2rem; flex-wrap: wrap; font-size: .9em; color: var(--muted); margin: .2rem 0 1rem; }
.key { display: inline-block; width: 1.6rem; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: .3rem; }
.key.challenger { border-color: var(--accent); } .key.champion { border-color: var(--warn); } .key.threshold { border-color: var(--bad); border-top-style: dashed; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
ol.timeline li { padding: .2rem 0 .5rem 1rem; position: relative; }
ol.timeline li::before { content: ""; position: absolute; left: -.45rem; top: .55rem; width: .6rem; height: .6rem; border-radius: 50%; background: var(--accent); }
.over { color: var(--bad); font-weight: 600; }
.pager { margin-top: .8rem; }
`;

export const CONSOLE_JS = `"use strict";
(function () {
  var main = document.getElementById("main");
  if (!main || !main.dataset.live) return;
  var url = main.dataset.live, version = main.dataset.version, wait = 5000, busy = false;
  function schedule() { setTimeout(check, document.hidden ? 30000 : wait); }
  function check() {
    if (busy) return schedule();
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "If-None-Match": '"' + version + '"' } })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(function (live) {
        if (!live || live.version === version) return null;
        return fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (text) {
          var next = new DOMParser().parseFromString(text, "text/html").getElementById("main");
          if (!next) return;
          main.innerHTML = next.innerHTML;
          version = next.dataset.version || live.version;
          main.dataset.version = version;
          if (!next.dataset.live) { delete main.dataset.live; url = null; }
        });
      })
      .then(function () { wait = 5000; }, function () { wait = Math.min(wait * 2, 60000); })
      .then(function () { busy = false; if (url) schedule(); });
  }
  schedule();
})();
`;
