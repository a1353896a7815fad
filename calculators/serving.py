"""Serving: cost per 1,000 tokens, cost per query, and the size of a fleet.

Formulas:
- inference costs 2·N FLOPs per token (Kaplan et al. 2020).
- cost per 1,000 tokens = 1000 x 2N x price per GPU-hour / (3600 x peak x MFU).
- tokens per query = samples x ((prompt + response words) x 1000 / words per 1,000
  tokens + Chinese characters x tokens per character); a provider's cost per query =
  tokens x price per 1,000 tokens / 1000 x (1 - cache hit rate) x (1 - margin)
  (the first-order estimate of Sunyan 2023, "The Economics of Large Language Models").
- fleet: GPU-hours a day = visitors x questions x words x seconds per word / 3600;
  GPUs = ceil(GPU-hours a day x peak-to-average / 24); servers = ceil(GPUs / GPUs per
  server) (the method of Guosheng Securities' report "ChatGPT需要多少算力", February 2023).

Examples
--------
>>> round(cost_per_1k_tokens(175e9), 6)
0.003515
>>> round(cost_per_query(), 6)
0.0105
>>> QUERY_COST.evaluate({"prompt_words": 50, "response_words": 400, "samples": 5,
...     "words_per_1k_tokens": 750, "chinese_chars": 0, "tokens_per_chinese_char": 0.6,
...     "price_per_1k_tokens": 0.02, "cache_hit_rate": 0.3, "margin": 0.75})["tokens_per_query"]
3000.0
>>> cost_per_query(prompt_words=0, response_words=0, samples=1, chinese_chars=500, cache_hit_rate=0, margin=0)
0.006
>>> fleet = FLEET.evaluate({"daily_visitors": 25e6, "questions_per_visitor": 10, "words_per_question": 30,
...     "seconds_per_word": 0.35, "peak_to_average": 1, "gpus_per_server": 8})
>>> round(fleet["gpu_hours_per_day"]), fleet["gpus"], fleet["servers"]
(729167, 30382.0, 3798.0)
"""

from __future__ import annotations

import sympy

from calculators.formula import COUNT, FRACTION, NONNEGATIVE, SHARE, Calculation, Formula, Var
from calculators.hardware import A100_SHEET, DGX_A100_SHEET
from calculators.sources import AWS_P4, GUOSHENG, KAPLAN, OPENAI_PRICING, PALM_MFU, SUNYAN, assumed_in
from calculators.training import PARAMS

# --- cost per 1,000 tokens -----------------------------------------------------------
FLOPS_PER_TOKEN = Var("flops_per_token", "FLOP/token", "inference FLOPs per token, 2N")
PEAK = Var("peak_flops", "FLOP/s", "peak dense throughput of one GPU",
           source=f"A100, 312 TFLOP/s: {A100_SHEET}")
MFU = Var("mfu", "", "model FLOPs utilisation while serving", FRACTION,
          source=f"21.3%, GPT-3's training MFU on V100: {PALM_MFU}; used for serving by {SUNYAN}",
          measured_on="V100")
INSTANCE_PRICE = Var("instance_price_per_hour", "USD/hour", "hourly price of one cloud instance",
                     source=AWS_P4)
GPUS_PER_INSTANCE = Var("gpus_per_instance", "GPU", "GPUs in one instance", COUNT,
                        source=AWS_P4)
PRICE_PER_GPU_HOUR = Var("price_per_gpu_hour", "USD/GPU-hour", "price of one GPU for an hour")
COST_PER_1K = Var("cost_per_1k_tokens", "USD/1K token", "compute cost of 1,000 tokens")

F_FLOPS_PER_TOKEN = Formula(FLOPS_PER_TOKEN, 2 * PARAMS.symbol, (PARAMS,), KAPLAN)
F_GPU_HOUR = Formula(PRICE_PER_GPU_HOUR, INSTANCE_PRICE.symbol / GPUS_PER_INSTANCE.symbol,
                     (INSTANCE_PRICE, GPUS_PER_INSTANCE))
F_COST_PER_1K = Formula(
    COST_PER_1K,
    1000 * FLOPS_PER_TOKEN.symbol * PRICE_PER_GPU_HOUR.symbol / (3600 * PEAK.symbol * MFU.symbol),
    (FLOPS_PER_TOKEN, PRICE_PER_GPU_HOUR, PEAK, MFU),
)
TOKEN_COST = Calculation("cost_per_1k_tokens", (F_FLOPS_PER_TOKEN, F_GPU_HOUR, F_COST_PER_1K))

# --- cost per query ------------------------------------------------------------------
PROMPT_WORDS = Var("prompt_words", "word", "words in the prompt", NONNEGATIVE,
                   source=assumed_in(SUNYAN, "a 50-word prompt"))
RESPONSE_WORDS = Var("response_words", "word", "words in the response", NONNEGATIVE,
                     source=assumed_in(SUNYAN, "a 400-word response"))
SAMPLES = Var("samples", "sample", "responses sampled per query", COUNT,
              source=assumed_in(SUNYAN, "5 responses sampled a query, the best kept"))
WORDS_PER_1K = Var("words_per_1k_tokens", "word", "English words per 1,000 tokens",
                   source=OPENAI_PRICING)
CHINESE_CHARS = Var("chinese_chars", "character", "Chinese characters in prompt and response", NONNEGATIVE,
                    source="none: the estimate counts English words only")
TOKENS_PER_CHAR = Var("tokens_per_chinese_char", "token/character", "tokens per Chinese character (tokenizer-dependent)",
                      source="0.6 tokens a Chinese character, DeepSeek API docs, 'Token & Token Usage'"
                             " (https://api-docs.deepseek.com/quick_start/token_usage); tokenizers differ")
PRICE_PER_1K = Var("price_per_1k_tokens", "USD/1K token", "API price of 1,000 tokens",
                   source=OPENAI_PRICING)
CACHE_HIT = Var("cache_hit_rate", "", "share of queries answered from a cache", SHARE,
                source=assumed_in(SUNYAN, "a 30% cache hit rate (the low end of Google search's)"))
MARGIN = Var("margin", "", "provider's gross margin on the price", SHARE,
             source=assumed_in(SUNYAN, "a 75% gross margin (a typical SaaS margin)"))
TOKENS_PER_QUERY = Var("tokens_per_query", "token", "tokens processed for one query")
PRICE_PER_QUERY = Var("price_per_query", "USD", "list price of those tokens, before cache and margin")
COST_PER_QUERY = Var("cost_per_query", "USD", "provider's compute cost per query")

F_TOKENS = Formula(
    TOKENS_PER_QUERY,
    SAMPLES.symbol * ((PROMPT_WORDS.symbol + RESPONSE_WORDS.symbol) * 1000 / WORDS_PER_1K.symbol
                      + CHINESE_CHARS.symbol * TOKENS_PER_CHAR.symbol),
    (SAMPLES, PROMPT_WORDS, RESPONSE_WORDS, WORDS_PER_1K, CHINESE_CHARS, TOKENS_PER_CHAR),
)
F_PRICE = Formula(PRICE_PER_QUERY, TOKENS_PER_QUERY.symbol * PRICE_PER_1K.symbol / 1000,
                  (TOKENS_PER_QUERY, PRICE_PER_1K))
F_QUERY_COST = Formula(COST_PER_QUERY, PRICE_PER_QUERY.symbol * (1 - CACHE_HIT.symbol) * (1 - MARGIN.symbol),
                       (PRICE_PER_QUERY, CACHE_HIT, MARGIN), SUNYAN)
QUERY_COST = Calculation("cost_per_query", (F_TOKENS, F_PRICE, F_QUERY_COST))

# --- fleet sizing --------------------------------------------------------------------
VISITORS = Var("daily_visitors", "visitor", "visitors a day",
               source=f"25 million: Similarweb's daily visitors of chat.openai.com in the week of 27 January to"
                      f" 3 February 2023, as quoted in {GUOSHENG}")
QUESTIONS = Var("questions_per_visitor", "question", "questions each visitor asks a day",
                source=assumed_in(GUOSHENG, "10 questions a visitor a day"))
WORDS = Var("words_per_question", "word", "words in each answer",
            source=assumed_in(GUOSHENG, "30 words an answer"))
SECONDS_PER_WORD = Var("seconds_per_word", "second/word", "GPU time to generate one word",
                       source=assumed_in(GUOSHENG, "350 ms of an A100 a word") + "; no public measurement",
                       measured_on="A100")
PEAK_TO_AVERAGE = Var("peak_to_average", "", "peak load over average load (1 = provision for the average)",
                      source="assumption: 1, sizing for the average load as the scenario does")
GPUS_PER_SERVER = Var("gpus_per_server", "GPU/server", "GPUs in one server", COUNT,
                      source=f"8, a DGX A100's: {DGX_A100_SHEET}")
GPU_HOURS = Var("gpu_hours_per_day", "GPU-hour/day", "GPU-hours of generation a day")
GPUS = Var("gpus", "GPU", "GPUs running at once (rounded up)", COUNT)
SERVERS = Var("servers", "server", "servers (rounded up)", COUNT)

F_GPU_HOURS = Formula(
    GPU_HOURS,
    VISITORS.symbol * QUESTIONS.symbol * WORDS.symbol * SECONDS_PER_WORD.symbol / 3600,
    (VISITORS, QUESTIONS, WORDS, SECONDS_PER_WORD), GUOSHENG,
)
F_GPUS = Formula(GPUS, sympy.ceiling(GPU_HOURS.symbol * PEAK_TO_AVERAGE.symbol / 24),
                 (GPU_HOURS, PEAK_TO_AVERAGE), GUOSHENG)
F_SERVERS = Formula(SERVERS, sympy.ceiling(GPUS.symbol / GPUS_PER_SERVER.symbol), (GPUS, GPUS_PER_SERVER),
                    GUOSHENG)
FLEET = Calculation("fleet_size", (F_GPU_HOURS, F_GPUS, F_SERVERS))


def cost_per_1k_tokens(params: float, peak_flops: float = 312e12, mfu: float = 0.213,
                       instance_price_per_hour: float = 19.22, gpus_per_instance: float = 8) -> float:
    """Compute cost in USD of generating 1,000 tokens with an N-parameter model (2N FLOPs a token).

    Args:
        params: model parameters (N)
        peak_flops: peak dense throughput of one GPU, FLOP/s
        mfu: model FLOPs utilisation while serving, a fraction
        instance_price_per_hour: hourly price of one cloud instance, USD
        gpus_per_instance: GPUs in that instance
    """
    return TOKEN_COST.evaluate(locals())["cost_per_1k_tokens"]


def cost_per_query(prompt_words: float = 50, response_words: float = 400, samples: float = 5,
                   words_per_1k_tokens: float = 750, chinese_chars: float = 0,
                   tokens_per_chinese_char: float = 0.6, price_per_1k_tokens: float = 0.02,
                   cache_hit_rate: float = 0.3, margin: float = 0.75) -> float:
    """A provider's compute cost in USD of one query, from words, samples, price, cache hits and margin.

    Args:
        prompt_words: English words in the prompt
        response_words: English words in each response
        samples: responses sampled per query
        words_per_1k_tokens: English words per 1,000 tokens
        chinese_chars: Chinese characters in prompt and response (counted apart from words)
        tokens_per_chinese_char: tokens per Chinese character (0.6, DeepSeek's API docs; tokenizers differ)
        price_per_1k_tokens: API price of 1,000 tokens, USD
        cache_hit_rate: share of queries answered from a cache, a fraction
        margin: provider's gross margin on the price, a fraction
    """
    return QUERY_COST.evaluate(locals())["cost_per_query"]


def fleet_size(daily_visitors: float, questions_per_visitor: float = 10, words_per_question: float = 30,
               seconds_per_word: float = 0.35, peak_to_average: float = 1.0,
               gpus_per_server: float = 8) -> int:
    """Servers needed to answer a day's questions: GPU-hours a day, concurrent GPUs, servers (rounded up).

    Args:
        daily_visitors: visitors a day
        questions_per_visitor: questions each visitor asks a day
        words_per_question: words in each answer
        seconds_per_word: GPU time to generate one word, seconds
        peak_to_average: peak load over average load (1 provisions for the average)
        gpus_per_server: GPUs in one server
    """
    return int(FLEET.evaluate(locals())["servers"])
