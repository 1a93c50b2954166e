"""Typo repair against the words that actually occur in the content.

Only words the index has never seen are repaired, so a correct word is never "fixed" into
another one (`many` stays `many`, it does not become `may`). Short words allow fewer edits:
a four-letter word with one substitution is usually another word, not a typo, so words of up
to four letters are only repaired by swapping two neighbouring letters (`lgn` -> `lng`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.search.memo import Memo

# Repairs are kept: users make the same typos, and a repair scans a few thousand words.
REPAIR_MEMO = 50_000


def max_edits(word: str) -> int:
    n = len(word)
    if n <= 4:
        return 1  # transpositions only, see repair()
    if n <= 8:
        return 1
    return 2


class Vocabulary:
    """Surface words of the index with their document frequency, bucketed by length."""

    def __init__(self, words: Mapping[str, int]) -> None:
        self._df = words if isinstance(words, dict) else dict(words)
        # Buckets by (length, first letter): a candidate with another first letter pays one
        # edit of penalty, so for one-edit words it can never win and need not be scanned.
        buckets: dict[tuple[int, str], list[str]] = {}
        # Words of 8+ letters by their tail (all but the first letter), for the two-edit case.
        tails: dict[str, list[str]] = {}
        for word in self._df:
            if word[0].isdigit() or len(word) < 3:
                continue
            buckets.setdefault((len(word), word[0]), []).append(word)
            if len(word) >= 8:
                tails.setdefault(word[1:], []).append(word)
        for bucket in buckets.values():
            bucket.sort()  # alphabetical, as extract() breaks ties by position
        self._buckets = buckets
        self._tails = tails
        self._repairs: Memo[str, str | None] = Memo(REPAIR_MEMO, Vocabulary._repair, self)

    def __contains__(self, word: object) -> bool:
        return word in self._df

    def __len__(self) -> int:
        return len(self._df)

    def words(self) -> Iterable[str]:
        return self._df.keys()

    def repair(self, word: str) -> str | None:
        """The closest known word for an unknown `word`, or None when nothing is close enough."""
        if word in self._df or len(word) < 3 or word[0].isdigit():
            return None
        return self._repairs[word]

    def _repair(self, word: str) -> str | None:
        if len(word) <= 4:
            best: str | None = None
            for i in range(len(word) - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped in self._df and (best is None or self._df[swapped] > self._df[best]):
                    best = swapped
            return best
        edits = max_edits(word)
        # (distance + penalty, -frequency, word); the first letter is rarely the mistyped one,
        # and the penalty keeps `vaccine` from turning into an unrelated word one edit away.
        found: list[tuple[int, int, str]] = []
        for length in range(len(word) - edits, len(word) + edits + 1):
            bucket = self._buckets.get((length, word[0]))
            if not bucket:
                continue
            for cand, dist, _ in process.extract(
                word, bucket, scorer=OSA.distance, score_cutoff=edits, limit=8
            ):
                found.append((int(dist), -self._df[cand], cand))
        if edits >= 2:
            # Another first letter costs the penalty, so only one real edit is left, and it must
            # touch the first letter: replace, drop or add it, or swap the first two.
            other = {word[1:], word[1] + word[0] + word[2:]}
            other.update(self._tails.get(word[1:], ()))  # first letter replaced
            other.update(self._tails.get(word, ()))  # a letter added in front
            for cand in other:
                if cand in self._df and len(cand) >= 3 and cand[0] != word[0] and cand[0].isalpha():
                    dist = int(OSA.distance(word, cand))
                    if dist + 1 <= edits:
                        found.append((dist + 1, -self._df[cand], cand))
        found = [f for f in found if f[0] <= edits]
        if not found:
            return None
        return min(found)[2]
