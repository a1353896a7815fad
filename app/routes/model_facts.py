"""Published sizes of models a question may name: used only as stated assumptions, each cited
to its paper (a note may repeat them, but these must hold for any notes folder)."""

from __future__ import annotations

import re

MODEL_FACTS: dict[str, dict[str, tuple[float, str]]] = {
    r"GPT-?3(?![.\d])": {"params": (175e9, "model card: GPT-3 175B (Brown et al. 2020, arXiv:2005.14165)"),
                         "tokens": (300e9, "model card: GPT-3 trained on 300B tokens (Brown et al. 2020)")},
    r"\bGopher\b": {"params": (280e9, "model card: Gopher 280B (Rae et al. 2021, arXiv:2112.11446)"),
                    "tokens": (300e9, "model card: Gopher trained on 300B tokens (Rae et al. 2021)")},
    r"\bPaLM\b": {"params": (540e9, "model card: PaLM 540B (Chowdhery et al. 2022, arXiv:2204.02311)"),
                  "tokens": (780e9, "model card: PaLM trained on 780B tokens (Chowdhery et al. 2022)")},
    r"\bChinchilla\b": {"params": (70e9, "model card: Chinchilla 70B (Hoffmann et al. 2022, arXiv:2203.15556)"),
                        "tokens": (1.4e12, "model card: Chinchilla trained on 1.4T tokens (Hoffmann et al. 2022)")},
    r"BERT[- ]?Large": {"params": (340e6, "model card: BERT-Large 340M (Devlin et al. 2018, arXiv:1810.04805)")},
}


def model_inputs(text: str) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    for pattern, facts in MODEL_FACTS.items():
        if re.search(pattern, text, re.I):
            for name, fact in facts.items():
                out.setdefault(name, fact)
    return out
