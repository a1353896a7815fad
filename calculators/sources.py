"""The public documents the calculators' defaults and catalog figures come from, one name each.

A default cites the paper, datasheet, price page or article its figure comes from, never a
user's notes: notes differ from user to user, and a file and line of one notes folder mean
nothing over another. (At answer time, a default whose figure a loaded passage also states is
cited to that passage as well; that is the app's job, not the calculators'.) Where a figure is
a scenario's assumption rather than a measurement, the source says so and names who assumed it.

Examples
--------
>>> "arXiv:2204.02311" in PALM
True
>>> assumed_in(GUOSHENG, "10 questions a visitor a day")[:75]
'10 questions a visitor a day: an assumption of the scenario in Guosheng Sec'
"""

from __future__ import annotations

KAPLAN = "Kaplan et al. 2020, 'Scaling Laws for Neural Language Models', arXiv:2001.08361"
BROWN = "Brown et al. 2020, 'Language Models are Few-Shot Learners' (GPT-3), arXiv:2005.14165"
PALM = "Chowdhery et al. 2022, 'PaLM: Scaling Language Modeling with Pathways', arXiv:2204.02311"
PALM_MFU = PALM + ", Table 3 (model FLOPs utilisation)"
MT_NLG = ("Smith et al. 2022, 'Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B', arXiv:2201.11990")
SUNYAN = ("Sunyan, 'The Economics of Large Language Models', 2023"
          " (https://sunyan.substack.com/p/the-economics-of-large-language-models)")
GUOSHENG = ("Guosheng Securities (国盛证券), Liu Gaochang (刘高畅) and Yang Ran (杨然), research report"
            " 'ChatGPT需要多少算力' (How much compute does ChatGPT need), 12 February 2023")
AWS_P4 = ("AWS EC2 P4 instances, p4d.24xlarge with 8 A100s: $19.22 an hour effective with a 1-year reservation"
          " (https://aws.amazon.com/ec2/instance-types/p4/)")
OPENAI_PRICING = ("OpenAI API pricing, 2022-23: Davinci $0.02 per 1K tokens; '1,000 tokens is about 750 words'"
                  " (https://openai.com/pricing)")


def assumed_in(document: str, figure: str) -> str:
    """A figure that is a scenario's assumption, labelled so, with the document that assumed it."""
    return f"{figure}: an assumption of the scenario in {document}"
