"""Rank memories for a query: BM25 relevance (rank-bm25), blended with recency."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from had has have he her his how i in is it its "
    "me my of on or our she so that the their them they this to was we were what when where "
    "which who why will with you your".split()
)


def tokenize(text: str) -> list[str]:
    return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in STOPWORDS]


def rank(
    query: str, texts: Sequence[str], recency_weight: float = 0.2
) -> list[tuple[int, float]]:
    """Indices of `texts` sharing at least one word with `query`, best first, with scores.

    `texts` is ordered newest first. The score is `(1 - w) * bm25 / max_bm25 + w * recency`,
    where recency falls linearly from 1 (newest) to 0 (oldest candidate).
    """
    from rank_bm25 import BM25Plus

    terms = set(tokenize(query))
    docs = [tokenize(t) for t in texts]
    candidates = [i for i, doc in enumerate(docs) if terms.intersection(doc)]
    if not candidates:
        return []
    # BM25Plus keeps every IDF positive, which BM25Okapi does not on tiny corpora.
    scores = BM25Plus([d for d in docs if d] or [["_"]]).get_scores(list(terms))
    index_in_scored = {i: n for n, i in enumerate(i for i, d in enumerate(docs) if d)}
    best = max(float(scores[index_in_scored[i]]) for i in candidates) or 1.0
    span = max(1, len(texts) - 1)
    ranked = [
        (i, (1 - recency_weight) * float(scores[index_in_scored[i]]) / best
         + recency_weight * (1 - i / span))
        for i in candidates
    ]
    return sorted(ranked, key=lambda pair: (-pair[1], pair[0]))
