"""Throughput of the brand-check engine against a naive loop of one regex per rule.

5,000 short Dutch posts (~245 characters) checked with a generated 200-rule style. Both sides run
in the same process, so compare the ratio, not the absolute times (see docs/performance.md).
Run: .venv/bin/python bench/bench_brand.py
"""

from __future__ import annotations

import random
import re
import time

import regex

from planner.brand.engine import build_config, check_text
from planner.brand.engine.safety import REGEX_TIMEOUT

POSTS = 5_000
RULES = 200

WORDS = [
    "de",
    "het",
    "een",
    "en",
    "van",
    "in",
    "op",
    "met",
    "voor",
    "naar",
    "bij",
    "uit",
    "over",
    "door",
    "om",
    "als",
    "dat",
    "die",
    "dit",
    "wij",
    "jij",
    "zij",
    "gemeente",
    "inwoners",
    "buurt",
    "straat",
    "park",
    "speeltuin",
    "fiets",
    "afval",
    "container",
    "wijk",
    "markt",
    "bibliotheek",
    "vrijwilliger",
    "bankje",
    "plein",
    "school",
    "huis",
    "water",
    "groen",
    "boom",
    "zomer",
    "winter",
    "feest",
    "dag",
    "week",
    "open",
    "nieuw",
    "mooi",
    "snel",
    "samen",
    "veilig",
    "schoon",
    "hulp",
    "vraag",
    "antwoord",
    "plan",
    "raad",
    "wethouder",
    "agent",
]


def make_terms(rng: random.Random) -> list[list[str]]:
    syllables = [
        "ver",
        "be",
        "ge",
        "ont",
        "ter",
        "aan",
        "af",
        "in",
        "op",
        "uit",
        "sta",
        "bel",
        "wer",
        "king",
        "heid",
        "ling",
        "baar",
        "lijk",
        "tie",
    ]
    rules = []
    for _ in range(RULES):
        tokens = []
        for _ in range(rng.randint(1, 3)):
            tokens.append("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
        rules.append(tokens)
    return rules


def make_posts(rng: random.Random, terms: list[list[str]]) -> list[str]:
    flat = [t for tokens in terms for t in tokens]
    posts = []
    for _ in range(POSTS):
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < 245:
            words.append(rng.choice(flat) if rng.random() < 0.05 else rng.choice(WORDS))
        posts.append(" ".join(words)[:245])
    return posts


def main() -> None:
    rng = random.Random(42)
    terms = make_terms(rng)
    posts = make_posts(rng, terms)
    rules = {
        f"Bench.R{n:03d}": "extends: existence\nmessage: \"Vermijd '%s'.\"\nignorecase: true\n"
        "tokens:\n" + "".join(f"  - {t}\n" for t in tokens)
        for n, tokens in enumerate(terms)
    }

    started = time.perf_counter()
    config = build_config(rules)
    compile_s = time.perf_counter() - started
    check_text(posts[0], markdown=False, config=config)  # compiles the rule set for .txt

    started = time.perf_counter()
    engine_alerts = sum(len(check_text(p, markdown=False, config=config)) for p in posts)
    engine_s = time.perf_counter() - started

    patterns = [
        regex.compile(r"\b(?:" + "|".join(tokens) + r")\b", regex.IGNORECASE) for tokens in terms
    ]
    started = time.perf_counter()
    naive_alerts = sum(len(p.findall(post)) for post in posts for p in patterns)
    naive_s = time.perf_counter() - started

    std_patterns = [re.compile(p.pattern, re.IGNORECASE) for p in patterns]
    started = time.perf_counter()
    std_alerts = sum(len(p.findall(post)) for post in posts for p in std_patterns)
    std_s = time.perf_counter() - started

    print(f"posts: {POSTS}, rules: {RULES}, style compiled in {compile_s * 1000:.0f} ms")
    print(
        f"engine (check_text, full alerts): {POSTS / engine_s:,.0f} posts/s ({engine_s:.2f} s), {engine_alerts} alerts"
    )
    print(
        f"naive (one regex per rule, matches only): {POSTS / naive_s:,.0f} posts/s ({naive_s:.2f} s), {naive_alerts} matches"
    )
    print(
        f"naive with stdlib re: {POSTS / std_s:,.0f} posts/s ({std_s:.2f} s), {std_alerts} matches"
    )
    print(f"ratio engine/naive: {naive_s / engine_s:.1f}x (vs stdlib re: {std_s / engine_s:.1f}x)")
    print("same findings:", engine_alerts == naive_alerts)

    # An imported rule that backtracks for minutes unbounded: its first check costs about one
    # regex timeout, then the rule is switched off (tests/unit/brand/test_untrusted_rules.py).
    slow = build_config(
        {"S.Slow": "extends: existence\nmessage: slow\nnonword: true\nraw: ['(a|aa)+$']\n"}
    )
    text = "a" * 40 + "!"
    started = time.perf_counter()
    check_text(text, markdown=False, config=slow)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    check_text(text, markdown=False, config=slow)
    then_s = time.perf_counter() - started
    print(
        f"catastrophic imported rule: first check {first_s * 1000:.0f} ms "
        f"(regex timeout {REGEX_TIMEOUT * 1000:.0f} ms), afterwards {then_s * 1000:.1f} ms "
        f"(switched off: {'S.Slow' in slow.switched_off})"
    )


if __name__ == "__main__":
    main()
