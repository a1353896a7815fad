"""The tokenizer's name is recorded in every index manifest: it must change when the tokens do."""

from ingest.tokenize import TOKENIZER, tokenize


def test_tokenizer_name_pins_its_output():
    """If this fails because tokenize() changed on purpose, give TOKENIZER a new version in
    ingest/tokenize.py (indexes built with the old tokens are then refused and re-ingested)
    and update the expected tokens here."""
    sample = "GPT-3训练一次的成本约为140万美元；The RACK draws 45.5 kW, 30,382 A100s in all."
    assert (TOKENIZER, tokenize(sample)) == (
        "jieba-search+lower-v1",
        ["gpt-3", "训练", "一次", "成本", "约", "140", "美元", "万美元", "rack", "draws", "45.5", "kw", "30382", "a100s"],
    )
