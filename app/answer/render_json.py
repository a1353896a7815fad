"""An `Answer` as the JSON `kbqa ask --json` prints: the structure, plus its Markdown rendering as `answer`."""

from __future__ import annotations

from dataclasses import asdict

from app.answer.model import Answer, part_json
from app.answer.render_markdown import render_markdown


def render_json(answer: Answer, id=None) -> dict:
    return {
        "id": id,
        "question": answer.question,
        "language": answer.language,
        "route": answer.route,
        "routes": answer.routes or [answer.route],
        "headline": answer.headline,
        "answer": render_markdown(answer),
        "parts": [part_json(p) for p in answer.parts],
        "citations": [
            {"n": c.n, "file": c.file, "heading": c.heading, "lines": list(c.lines), "quote": c.quote} for c in answer.citations
        ],
        "outputs": [asdict(o) for o in answer.outputs],
        "verdict": answer.verdict,
        "calculations": [asdict(c) for c in answer.calculations],
        "notices": answer.notices,
    }
