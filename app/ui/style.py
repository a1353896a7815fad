"""The page's look: system fonts only (nothing is fetched from the internet) and the answer styles."""

SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "PingFang SC", "Microsoft YaHei",
        "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", "Arial", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "monospace"]

# Colours are variables: Gradio's own (text, backgrounds, borders follow its light and dark
# themes) and kbqa's (badges, highlights), set once for light and once under `.dark`, so that
# nothing is light text on a light background in either mode.
CSS = """
:root, .gradio-container {
  --kbqa-text: var(--body-text-color); --kbqa-muted: var(--body-text-color-subdued);
  --kbqa-bg: var(--background-fill-primary); --kbqa-bg2: var(--background-fill-secondary);
  --kbqa-border: var(--border-color-primary);
  --kbqa-blue-bg: #e0ecff; --kbqa-blue: #1d4ed8; --kbqa-blue-border: #bfd4fe;
  --kbqa-violet-bg: #efe7ff; --kbqa-violet: #5b21b6; --kbqa-violet-border: #d9c8fe; --kbqa-card: #faf7ff;
  --kbqa-green-bg: #dcfce7; --kbqa-green: #166534; --kbqa-green-border: #a7f3c0;
  --kbqa-red-bg: #fee2e2; --kbqa-red: #991b1b; --kbqa-red-border: #fecaca;
  --kbqa-amber-bg: #fffbeb; --kbqa-amber: #92400e; --kbqa-amber-border: #f59e0b;
  --kbqa-mark-bg: #fef08a; --kbqa-mark: #1f2937; --kbqa-th-bg: #f3f4f6; --kbqa-line: #9ca3af;
  --kbqa-line-1: #1d4ed8; --kbqa-line-2: #c2410c; --kbqa-line-3: #047857;
}
.dark, .dark .gradio-container {
  --kbqa-blue-bg: #1e2a4a; --kbqa-blue: #93b4ff; --kbqa-blue-border: #334a7d;
  --kbqa-violet-bg: #2a2144; --kbqa-violet: #c9b6ff; --kbqa-violet-border: #4c3d7a; --kbqa-card: #1d1830;
  --kbqa-green-bg: #12301f; --kbqa-green: #86efac; --kbqa-green-border: #1f5c38;
  --kbqa-red-bg: #3a1616; --kbqa-red: #fca5a5; --kbqa-red-border: #7f1d1d;
  --kbqa-amber-bg: #2e2410; --kbqa-amber: #fcd34d; --kbqa-amber-border: #a16207;
  --kbqa-mark-bg: #854d0e; --kbqa-mark: #fef9c3; --kbqa-th-bg: #262b36; --kbqa-line: #6b7280;
  --kbqa-line-1: #93b4ff; --kbqa-line-2: #fdba74; --kbqa-line-3: #6ee7b7;
}
.kbqa-answer, .kbqa-absent, .kbqa-streaming { overflow-wrap: anywhere; }
.kbqa-headline { font-size: 1.08em; font-weight: 600; margin: .1em 0 .5em 0; color: var(--kbqa-text); }
.kbqa-details > summary, .kbqa-reader-head { cursor: pointer; color: var(--kbqa-muted); font-size: .9em; }
.kbqa-tools { display: flex; gap: .4em; margin-top: .4em; flex-wrap: wrap; }
.kbqa-tools button, .kbqa-open-note { font-size: .8em; padding: .1em .6em; border: 1px solid var(--kbqa-border); border-radius: 6px;
  background: var(--kbqa-bg2); color: var(--kbqa-text); cursor: pointer; }
.kbqa-badges { margin: 0 0 .4em 0; display: flex; gap: .4em; flex-wrap: wrap; }
.kbqa-badge { display: inline-block; padding: .1em .6em; border-radius: 999px; font-size: .85em; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.kbqa-badge-lookup { background: var(--kbqa-blue-bg); color: var(--kbqa-blue); border-color: var(--kbqa-blue-border); }
.kbqa-badge-calc { background: var(--kbqa-violet-bg); color: var(--kbqa-violet); border-color: var(--kbqa-violet-border); }
.kbqa-badge-ok { background: var(--kbqa-green-bg); color: var(--kbqa-green); border-color: var(--kbqa-green-border); }
.kbqa-badge-bad { background: var(--kbqa-red-bg); color: var(--kbqa-red); border-color: var(--kbqa-red-border); }
.kbqa-badge-unknown, .kbqa-badge-absent { background: var(--kbqa-bg2); color: var(--kbqa-muted); border-color: var(--kbqa-border); }
.kbqa-absent { background: var(--kbqa-amber-bg); border: 1px dashed var(--kbqa-amber-border); border-radius: 8px; padding: .6em .8em; color: var(--kbqa-text); }
.kbqa-absent .kbqa-badge-absent { background: var(--kbqa-amber-bg); color: var(--kbqa-amber); border-color: var(--kbqa-amber-border); }
.kbqa-error { background: var(--kbqa-red-bg); border: 1px solid var(--kbqa-red-border); color: var(--kbqa-red); border-radius: 8px; padding: .6em .8em; }
.kbqa-notice { background: var(--kbqa-amber-bg); color: var(--kbqa-text); border-left: 4px solid var(--kbqa-amber-border); padding: .4em .6em; margin: .5em 0; }
.kbqa-status { color: var(--kbqa-muted); font-style: italic; }
.kbqa-spinner { display: inline-block; width: .8em; height: .8em; border: 2px solid var(--kbqa-line); border-top-color: transparent;
  border-radius: 50%; animation: kbqa-spin 1s linear infinite; vertical-align: -0.1em; }
@keyframes kbqa-spin { to { transform: rotate(360deg); } }
.kbqa-cursor { animation: kbqa-blink 1s steps(1) infinite; }
@keyframes kbqa-blink { 50% { opacity: 0; } }
.kbqa-ref { color: var(--kbqa-blue); font-weight: 600; font-size: .85em; cursor: pointer; text-decoration: underline dotted; }
.kbqa-cites { margin-top: .6em; border-top: 1px solid var(--kbqa-border); padding-top: .4em; }
.kbqa-cite { margin: .25em 0; }
.kbqa-cite summary { cursor: pointer; font-size: .9em; color: var(--kbqa-text); }
.kbqa-loc { color: var(--kbqa-muted); }
.kbqa-passage { margin: .3em 0 .5em 1em; padding: .4em .7em; border-left: 3px solid var(--kbqa-blue-border); background: var(--kbqa-bg2);
  color: var(--kbqa-text); font-size: .92em; line-height: 1.55; }
.kbqa-passage mark, .kbqa-reader mark, .kbqa-claim-src mark { background: var(--kbqa-mark-bg); color: var(--kbqa-mark); padding: 0 .1em; }
.kbqa-calc { border: 1px solid var(--kbqa-violet-border); border-radius: 8px; padding: .5em .7em; margin: .3em 0; background: var(--kbqa-card); color: var(--kbqa-text); }
.kbqa-calc-title { margin-bottom: .3em; }
.kbqa-table { border-collapse: collapse; margin: .3em 0; font-size: .9em; width: 100%; color: var(--kbqa-text); }
.kbqa-table th, .kbqa-table td { border: 1px solid var(--kbqa-border); padding: .2em .45em; text-align: left; vertical-align: top; }
.kbqa-table th { background: var(--kbqa-th-bg); color: var(--kbqa-text); font-weight: 600; }
.kbqa-table code, .kbqa-calc code { white-space: pre-wrap; overflow-wrap: anywhere; background: transparent; color: inherit; }
.kbqa-calc-steps th { width: 8em; }
.kbqa-calc-steps tr.kbqa-step-2 td { font-weight: 600; }
.kbqa-num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kbqa-output { font-size: 1.05em; color: var(--kbqa-violet); margin: .15em 0; }
.kbqa-calc-note, .kbqa-said { color: var(--kbqa-muted); font-size: .9em; }
.kbqa-question { white-space: pre-wrap; word-break: break-word; }
.kbqa-claim-src pre { white-space: pre-wrap; font-size: .85em; margin: .3em 0; }
.kbqa-ok-msg { background: var(--kbqa-green-bg); color: var(--kbqa-text); border: 1px solid var(--kbqa-green-border); border-radius: 8px; padding: .5em .8em; }
.kbqa-reader { max-height: 26em; overflow: auto; border: 1px solid var(--kbqa-border); border-radius: 8px; background: var(--kbqa-bg); }
.kbqa-reader ol { margin: 0; padding: .3em 0; list-style: none; counter-reset: none; font-size: .9em; line-height: 1.5; }
.kbqa-reader li { display: grid; grid-template-columns: 3.5em 1fr; gap: .6em; padding: 0 .6em; white-space: pre-wrap; overflow-wrap: anywhere; }
.kbqa-reader li .kbqa-ln { color: var(--kbqa-muted); text-align: right; user-select: none; font-variant-numeric: tabular-nums; }
.kbqa-reader li.kbqa-cited { background: var(--kbqa-blue-bg); }
.kbqa-examples button { white-space: normal !important; text-align: left; }
blockquote { margin: .3em 0; }
/* a phone: tables become stacked rows, each cell with its column's name */
@media (max-width: 640px) {
  .kbqa-table, .kbqa-table tbody, .kbqa-table tr, .kbqa-table td { display: block; width: 100%; box-sizing: border-box; }
  .kbqa-table thead { display: none; }
  .kbqa-table tr { border: 1px solid var(--kbqa-border); border-radius: 6px; margin: .3em 0; }
  .kbqa-table td, .kbqa-table th { border: none; }
  .kbqa-table th { display: block; width: auto; }
  .kbqa-table td[data-label]::before { content: attr(data-label); display: block; font-size: .8em; color: var(--kbqa-muted); }
  .kbqa-calc-steps tr th { font-size: .8em; color: var(--kbqa-muted); background: transparent; }
  .kbqa-cell-label { display: block !important; font-size: .8em; color: var(--kbqa-muted); }
  .kbqa-num { text-align: left !important; white-space: normal; }
  .kbqa-reader li { grid-template-columns: 2.5em 1fr; }
  /* examples in one row that scrolls inside itself, so the chat stays near the top */
  .kbqa-examples { flex-wrap: nowrap !important; overflow-x: auto; }
  .kbqa-examples button { min-width: 70% !important; flex: 0 0 auto !important; }
}
"""
CSS += """
.kbqa-src, .kbqa-cell-label { display: none; }
.kbqa-copied::after { content: " ✓"; }
"""
CSS += """
/* the calculator plot: inline SVG in theme colours, its legend as wrapping HTML under it */
.kbqa-plot { margin: .8em 0 0 0; }
.kbqa-plot figcaption { font-weight: 600; margin-bottom: .3em; }
.kbqa-plot-svg { width: 100%; max-width: 720px; height: auto; display: block; }
.kbqa-plot-svg text { fill: var(--kbqa-text); font-size: 12px; }
.kbqa-plot-svg .kbqa-grid { stroke: var(--kbqa-border); stroke-width: 1; }
.kbqa-legend { list-style: none; padding: 0; margin: .3em 0; display: flex; flex-wrap: wrap; gap: .3em 1.2em; }
.kbqa-legend li { display: flex; align-items: center; gap: .4em; }
"""
CSS += """
@media (max-width: 640px) {
  .kbqa-table { border: none !important; }
  .kbqa-calc-steps td[data-label]::before { display: none; }  /* the row's th names it already */
  .kbqa-calc-steps tr { padding: .2em .4em; }
  .kbqa-plot-svg text { font-size: 22px; }  /* the 640-unit drawing is shown about 340 px wide */
}
"""
