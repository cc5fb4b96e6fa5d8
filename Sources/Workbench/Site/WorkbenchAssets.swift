/// The style sheet and script every page loads, embedded in the program so that it serves
/// everything its pages need (no CDN, no files beside the binary, no JavaScript build step).
enum WorkbenchAssets {
    static let style = #"""
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b5cad; --worse: #b42318; --better: #067647;
        --worse-bg: #fee4e2; --better-bg: #dcfae6; --changed-bg: #fff4c2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
header { display: flex; align-items: center; gap: 2rem; padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--soft); position: sticky; top: 0; z-index: 5; }
header .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
header nav a { margin-right: 1.2rem; color: var(--accent); text-decoration: none; padding: .2rem 0; }
header nav a.current { color: var(--ink); border-bottom: 2px solid var(--accent); font-weight: 600; }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
footer { padding: 1rem 1.5rem; color: var(--muted); border-top: 1px solid var(--line); font-size: 13px; }
h1 { font-size: 1.6rem; margin: .6rem 0; } h2 { font-size: 1.25rem; margin-top: 1.8rem; } h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.lead { color: var(--muted); max-width: 70rem; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
a { color: var(--accent); }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { background: var(--soft); position: sticky; top: 2.9rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.section th { background: #eef2f6; font-size: 15px; }
table.parameters td.value span { display: inline-block; max-width: 9rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
table.parameters td:last-child { min-width: 18rem; }
td.value.changed { background: var(--changed-bg); font-weight: 600; }
.label { display: inline-block; font-size: 11px; border-radius: 3px; padding: 0 .35rem; margin-right: .3rem; }
.label.sourced { background: #e0f0ff; color: #0b4a8b; } .label.assumption { background: #fff0d6; color: #8a4b00; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: .6rem 0; }
.filters input[type=search] { width: 20rem; }
input, select, textarea, button { font: inherit; }
input, select, textarea { border: 1px solid #aab4bf; border-radius: 4px; padding: .25rem .4rem; }
button, .button { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: .4rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
button[disabled] { background: #8ea6bf; cursor: wait; }
#cancel-button { background: #6e7781; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: .6rem 1rem 1rem; }
legend { font-weight: 600; padding: 0 .4rem; }
.run-fields { display: flex; flex-wrap: wrap; gap: 1rem 1.4rem; }
.field { display: flex; flex-direction: column; min-width: 9rem; }
.field label { font-size: 13px; color: var(--muted); }
.field small { color: var(--muted); font-size: 12px; }
.field input { width: 11rem; }
.field[data-field=slo] input { width: 16rem; }
.actions { display: flex; gap: .8rem; align-items: center; margin: .6rem 0; position: sticky; bottom: 0; background: #fff; padding: .6rem 0; border-top: 1px solid var(--line); z-index: 4; }
#changed-count { color: var(--muted); }
details.section { border-top: 1px solid var(--line); padding: .3rem 0; }
details.section summary { cursor: pointer; font-weight: 600; }
details.section .count { color: var(--muted); font-weight: 400; font-size: 13px; }
table.form-parameters { width: 100%; margin: .3rem 0; }
table.form-parameters th { width: 30%; font-weight: 400; }
table.form-parameters td:nth-child(2) { width: 30%; }
table.form-parameters input.param { width: 100%; }
table.form-parameters td.unit { width: 7rem; color: var(--muted); }
table.form-parameters td.source { color: var(--muted); font-size: 13px; }
tr.param-row.changed { background: var(--changed-bg); }
.has-error input, .has-error select, .has-error textarea { border-color: var(--worse); background: #fff6f5; }
.field-error, .errors p { color: var(--worse); font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; margin: .2rem 0; }
.errors { border: 1px solid var(--worse); background: #fff6f5; border-radius: 4px; padding: .4rem .8rem; }
label.extra { display: block; margin-top: 1rem; } label.extra textarea { display: block; width: 100%; font-family: ui-monospace, Menlo, monospace; }
.progress { height: 10px; background: #e8ecf0; border-radius: 5px; overflow: hidden; max-width: 40rem; }
.progress .bar { height: 100%; width: 0; background: var(--accent); transition: width .2s; }
#progress[data-phase=cancelled] .bar, #progress[data-phase=failed] .bar { background: var(--worse); }
.what-was-run { background: var(--soft); border-left: 4px solid var(--accent); padding: .5rem .8rem; max-width: 80rem; }
table.comparison td:first-child { min-width: 12rem; }
mark { border-radius: 3px; padding: 0 .25rem; }
mark.worse { background: var(--worse-bg); color: var(--worse); } mark.better { background: var(--better-bg); color: var(--better); }
mark.changed { background: var(--changed-bg); }
.hw { color: var(--muted); font-size: 12px; }
.muted { color: var(--muted); }
dl.bottleneck dt { font-weight: 600; } dl.bottleneck dd { margin: 0 0 .5rem 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; margin-top: 1.2rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .4rem 1rem; color: var(--ink); text-decoration: none; }
.card:hover { border-color: var(--accent); }
.card h2 { color: var(--accent); margin-top: .4rem; }
.notice { background: var(--changed-bg); padding: .5rem .8rem; border-radius: 4px; }
figure.chart { margin: 1rem 0; max-width: 760px; }
figure.chart svg { max-width: 100%; height: auto; }
.series-toggles { display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: 13px; margin-bottom: .2rem; }
.series-toggles .swatch { display: inline-block; width: 14px; height: 3px; margin: 0 .3rem 3px .2rem; vertical-align: middle; }
.chart-tip { position: absolute; background: #1f2328; color: #fff; font-size: 12px; padding: .2rem .5rem; border-radius: 4px; pointer-events: none; z-index: 10; white-space: nowrap; }
article.notebook { max-width: 62rem; }
article.notebook img { max-width: 100%; }
article.notebook pre, pre.file { background: var(--soft); padding: .6rem .8rem; overflow-x: auto; border-radius: 4px; }
table.facts th { width: 14rem; color: var(--muted); font-weight: 400; }
ul.toc { columns: 2; }
#save-status.error { color: var(--worse); }
"""#
}
