"""The page's look: system fonts only (nothing is fetched from the internet) and the answer styles."""

SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "PingFang SC", "Microsoft YaHei",
        "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Helvetica Neue", "Arial", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "DejaVu Sans Mono", "Noto Sans Mono CJK SC", "monospace"]

CSS = """
.kbqa-badges { margin: 0 0 .4em 0; display: flex; gap: .4em; flex-wrap: wrap; }
.kbqa-badge { display: inline-block; padding: .1em .6em; border-radius: 999px; font-size: .85em; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.kbqa-badge-lookup { background: #e0ecff; color: #1d4ed8; border-color: #bfd4fe; }
.kbqa-badge-calc { background: #efe7ff; color: #6d28d9; border-color: #d9c8fe; }
.kbqa-badge-ok { background: #dcfce7; color: #166534; border-color: #a7f3c0; }
.kbqa-badge-bad { background: #fee2e2; color: #991b1b; border-color: #fecaca; }
.kbqa-badge-unknown, .kbqa-badge-absent { background: #f3f4f6; color: #4b5563; border-color: #d1d5db; }
.kbqa-absent { background: #fffbeb; border: 1px dashed #f59e0b; border-radius: 8px; padding: .6em .8em; }
.kbqa-absent .kbqa-badge-absent { background: #fef3c7; color: #92400e; border-color: #fcd34d; }
.kbqa-error { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; border-radius: 8px; padding: .6em .8em; }
.kbqa-notice { background: #fffbeb; border-left: 4px solid #f59e0b; padding: .4em .6em; margin: .5em 0; }
.kbqa-status { color: #4b5563; font-style: italic; }
.kbqa-spinner { display: inline-block; width: .8em; height: .8em; border: 2px solid #9ca3af; border-top-color: transparent;
  border-radius: 50%; animation: kbqa-spin 1s linear infinite; vertical-align: -0.1em; }
@keyframes kbqa-spin { to { transform: rotate(360deg); } }
.kbqa-cursor { animation: kbqa-blink 1s steps(1) infinite; }
@keyframes kbqa-blink { 50% { opacity: 0; } }
.kbqa-ref { color: #1d4ed8; font-weight: 600; font-size: .85em; }
.kbqa-cites { margin-top: .6em; border-top: 1px solid #e5e7eb; padding-top: .4em; }
.kbqa-cite { margin: .25em 0; }
.kbqa-cite summary { cursor: pointer; font-size: .9em; color: #374151; }
.kbqa-loc { color: #6b7280; }
.kbqa-passage { margin: .3em 0 .5em 1em; padding: .4em .7em; border-left: 3px solid #93c5fd; background: #f8fafc;
  font-size: .92em; line-height: 1.55; }
.kbqa-passage mark { background: #fef08a; padding: 0 .1em; }
.kbqa-calc { border: 1px solid #ddd6fe; border-radius: 8px; padding: .5em .7em; margin: .3em 0; background: #faf7ff; }
.kbqa-calc-title { margin-bottom: .3em; }
.kbqa-table { border-collapse: collapse; margin: .3em 0; font-size: .9em; width: 100%; }
.kbqa-table th, .kbqa-table td { border: 1px solid #e5e7eb; padding: .2em .45em; text-align: left; vertical-align: top; }
.kbqa-table th { background: #f3f4f6; font-weight: 600; }
.kbqa-calc-steps th { width: 8em; }
.kbqa-calc-steps tr.kbqa-step-2 td { font-weight: 600; }
.kbqa-num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kbqa-output { font-size: 1.05em; color: #4c1d95; margin: .15em 0; }
.kbqa-calc-note { color: #6b7280; font-size: .9em; }
.kbqa-said { color: #6b7280; font-size: .9em; }
.kbqa-question { white-space: pre-wrap; word-break: break-word; }
.kbqa-claim-src pre { white-space: pre-wrap; font-size: .85em; margin: .3em 0; }
.kbqa-ok-msg { background: #f0fdf4; border: 1px solid #86efac; border-radius: 8px; padding: .5em .8em; }
blockquote { margin: .3em 0; }
"""
