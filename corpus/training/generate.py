"""Writes corpus/training/questions.jsonl from the clause material in spec.py (seeded).

Run from the repository root: `python corpus/training/generate.py`. Questions too close to an
evaluation question (assistant.evaluation.overlap) are dropped; the evaluation file is read
only by that check, never printed.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from spec import (  # noqa: E402
    ADVERSARIAL,
    CLAUSES_20,
    CLAUSES_26,
    CONDITIONS,
    FOLLOW_UPS,
    OFF_TOPIC,
    OUT_OF_POLICY_20,
    OUT_OF_POLICY_BOTH,
    PROCEDURES,
    V20,
    V26,
    B,
    C,
    Clause,
    H,
    K,
    M,
    N,
    S,
    U,
)

SEED = 16
OUT = ROOT / "corpus" / "training" / "questions.jsonl"

SCOPE = [
    "is {s} supported?",
    "does microsoft support {s}?",
    "will ms support help with {s}",
    "can i open a ticket about {s}",
    "{s} - is that covered by azure support?",
    "any chance support helps us with {s}?",
    "r u guys able to help w/ {s}",
    "is {s} in scope for aks support",
    "would msft take a case on {s}",
    "{s}: will the aks support team look at it",
    "we need help with {s}, can microsoft assist",
    "is {s} ok support-wise",
    "question about {s} - can i raise it with azure support?",
    "{s}... can the aks folks look at that",
    "does {s} fall within what azure will take on",
    "is {s} something we can escalate to microsoft",
    "hey is {s} covered",
    "{s} supported on aks or not",
]
BARE = ["{s}?", "{s} - supported?", "what about {s}"]
RESP = [
    "who is responsible for {r}?",
    "who handles {r}, me or microsoft?",
    "is {r} on me or on azure",
    "do i have to take care of {r} myself",
    "{r}: my job or msft's?",
    "whose job is {r}",
    "does microsoft do {r} or do we",
    "{r} - is that on us?",
    "who owns {r} on aks",
    "who's on the hook for {r}",
    "{r}, do we deal with that or does aks",
    "{r}... microsoft or me?",
    "aks {r} - mine or theirs",
    "who takes care of {r}",
    "in aks who looks after {r}",
]
PREMISE = {
    S: [
        "I heard {s} isn't supported on aks, true?",
        "since microsoft won't help with {s}, where do i go?",
    ],
    N: [
        "{s} is fully supported by microsoft right?",
        "since support covers {s}, how do i open the case?",
    ],
    B: ["{s} gets full 24/7 support, right?", "{s} is completely unsupported, yes?"],
    K: ["{s} is never supported, correct?"],
    M: ["I guess {r} is my job then?", "since {r} is on us, how do we do it?"],
    C: [
        "microsoft takes care of {r} for me, correct?",
        "aks does {r} automatically so i can ignore it?",
    ],
    H: ["{r} is 100% microsoft's job, yes?", "{r} is entirely on me, right?"],
}
VARIANT = ["quick q: {q}", "hey, {q}", "{q} (on aks)", "{q} pls", "aks question - {q}", "{q}??"]


def typo(text: str, rng: random.Random) -> str:
    """The text with one typing slip in one longer word."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w, k = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.randrange(3)
    words[i] = (
        (w[:k] + w[k + 1] + w[k] + w[k + 2 :])
        if kind == 0
        else (w[:k] + w[k + 1 :] if kind == 1 else w[:k] + w[k] + w[k:])
    )
    return " ".join(words)


def clause_items(cl: Clause, rng: random.Random) -> list[dict[str, object]]:
    """4-8 labelled questions about one clause."""
    items: list[tuple[str, str, str]] = []
    spare: list[tuple[str, str, str]] = []
    for s in cl.s:
        pool = SCOPE + (BARE if len(s.split()) <= 3 else [])
        picked = rng.sample(pool, 4)
        items += [(t.format(s=s), "scope", cl.sv) for t in picked[:2]]
        spare += [(t.format(s=s), "scope", cl.sv) for t in picked[2:]]
    for r in cl.r:
        picked = rng.sample(RESP, 4)
        items += [(t.format(r=r), "responsibility", cl.rv) for t in picked[:2]]
        spare += [(t.format(r=r), "responsibility", cl.rv) for t in picked[2:]]
    if cl.s and cl.sv in PREMISE:
        items.append((rng.choice(PREMISE[cl.sv]).format(s=rng.choice(cl.s)), "scope", cl.sv))
    elif cl.r and cl.rv in PREMISE:
        items.append(
            (rng.choice(PREMISE[cl.rv]).format(r=rng.choice(cl.r)), "responsibility", cl.rv)
        )
    items += [(q, "fact", "informational") for q in cl.f]
    items += [(q, "procedure", "informational") for q in cl.p]
    items += list(cl.x)
    written = [q for q in items if q[1] in ("fact", "procedure")] or items
    while len(items) + len(spare) < 4:
        base = rng.choice(written)
        spare.append((rng.choice(VARIANT).format(q=base[0]), base[1], base[2]))
    items += spare[: max(0, 4 - len(items))]
    if len(items) > 8:
        items = items[:8]
    out = []
    for q, qtype, verdict in items:
        if rng.random() < 0.12:
            q = typo(q, rng)
        out.append(item(q, qtype, verdict, cl.quote, cl.version))
    return out


def item(
    question: str, qtype: str, verdict: str, quote: str | None, version: str
) -> dict[str, object]:
    """One training item (`quote` None for a question the policy does not answer)."""
    return {
        "question": question,
        "question_type": qtype,
        "expected_verdict": verdict,
        "gold_quotes": [quote] if quote else [],
        "version": version,
    }


def build(rng: random.Random) -> list[dict[str, object]]:
    """Every training item, before the overlap filter."""
    items = [i for cl in CLAUSES_26 + CLAUSES_20 for i in clause_items(cl, rng)]
    for n, q in enumerate(OUT_OF_POLICY_BOTH):
        for version in (V26, V20) if n % 3 == 0 else (V26,):
            items.append(item(q, "out_of_policy", U, None, version))
    items += [item(q, "out_of_policy", U, None, V20) for q in OUT_OF_POLICY_20]
    for n, q in enumerate(OFF_TOPIC):
        items.append(item(q, "off_topic", U, None, V20 if n % 3 == 2 else V26))
    items += [item(q, t, v, quote, version) for q, version, t, v, quote in ADVERSARIAL]
    for q, version, verdict, quote in PROCEDURES:
        for text in (q, typo(q, rng) if rng.random() < 0.5 else rng.choice(VARIANT).format(q=q)):
            items.append(item(text, "procedure", verdict, quote, version))
    # questions naming a rule's condition, written out (no rng, so earlier items stay the same)
    items += [item(q, t, v, quote, version) for q, version, t, v, quote in CONDITIONS]
    # follow-ups with the messages before them, written out (no rng either)
    items += [
        {"question": q, "previous": list(previous), **item(q, t, v, quote, version)}
        for previous, q, version, t, v, quote in FOLLOW_UPS
    ]
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for entry in items:
        key = (str(entry["question"]).lower(), str(entry["version"]), str(entry.get("previous")))
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def main() -> None:
    """Generate, drop near duplicates of evaluation questions, write the file."""
    from assistant.evaluation.overlap import near_duplicates
    from assistant.search.embedding import SentenceTransformerEmbedder

    items = build(random.Random(SEED))
    evaluation = [
        json.loads(line)["question"]
        for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    close = {
        o.first
        for o in near_duplicates(
            [str(i["question"]) for i in items], evaluation, SentenceTransformerEmbedder()
        )
    }
    kept = [i for n, i in enumerate(items) if n not in close]
    with OUT.open("w", encoding="utf-8") as f:
        for n, item in enumerate(kept, 1):
            f.write(
                json.dumps({"id": f"t{n:04d}", **item, "source": "written"}, ensure_ascii=False)
                + "\n"
            )
    print(
        f"{len(kept)} questions written, "
        f"{len(close)} near duplicates of evaluation questions dropped"
    )


if __name__ == "__main__":
    main()
