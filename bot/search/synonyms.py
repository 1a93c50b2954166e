"""Related words for the policy and diplomacy domain, and abbreviations found in the content.

Users paraphrase: they ask about the "coast guard" where the Bluebook says "Maritime Security
Agencies", about "ties" where it says "relations". The table is general domain knowledge,
meant for every edition and region, never tuned to particular questions. Abbreviations are
mostly derived from the text itself (`Long Form (ABBR)`); the short table below only covers
Japanese-government abbreviations that the Bluebook uses without spelling them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Each group lists phrases that may stand for each other in a query.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("coast guard", "maritime security", "maritime safety", "coastguard"),
    ("ties", "relations", "relationship", "bilateral relations"),
    ("western", "west", "european", "europe", "us", "g7"),
    ("us", "united states", "america", "american", "washington"),
    ("uk", "united kingdom", "britain", "british"),
    ("eu", "european union"),
    ("un", "united nations"),
    ("easy", "easier", "simplify", "simplified", "simple", "facilitate", "streamline"),
    ("start", "begin", "commence", "launch", "started", "began"),
    ("grow", "growth", "expand", "increase", "rise"),
    ("decline", "decrease", "fall", "drop", "down", "slump", "shrink"),
    ("meeting", "talks", "dialogue", "consultation"),
    ("summit", "leaders meeting", "summit meeting"),
    ("leader", "president", "prime minister", "head of state"),
    ("pm", "prime minister"),
    ("fm", "foreign minister"),
    ("military", "defense", "armed forces", "troops", "forces"),
    ("navy", "naval", "maritime self defense force", "jmsdf"),
    ("army", "ground self defense force", "jgsdf"),
    ("air force", "air self defense force", "jasdf"),
    ("nuclear", "atomic"),
    ("trip", "visit", "travel", "tour"),
    ("negotiation", "talks", "negotiate"),
    ("link", "website", "url", "web site", "homepage"),
    ("photo", "picture", "image", "caption"),
    ("people", "persons", "participants"),
    ("deal", "agreement", "accord"),
    ("cooperation", "collaboration", "partnership", "cooperate"),
    ("invest", "investment", "investor"),
    ("trade", "commerce", "exports", "imports"),
    ("import", "imported", "imports"),
    ("export", "exported", "exports"),
    ("fishing", "fishery", "fisheries"),
    ("election", "vote", "poll", "elections"),
    ("protest", "demonstration", "rally"),
    ("youth", "young people", "students"),
    ("tourism", "tourist", "sightseeing"),
    ("war", "conflict", "hostilities"),
    ("terrorism", "terrorist", "terror"),
    ("climate change", "global warming"),
    ("north korea", "dprk"),
    ("south korea", "rok", "republic of korea"),
    ("china", "prc", "chinese"),
    ("japan", "japanese"),
    ("russia", "russian", "russian federation"),
    ("gas", "lng", "natural gas"),
    ("oil", "crude oil", "petroleum"),
    ("energy", "oil", "gas", "power"),
    ("gdp", "economic growth"),
    ("economy", "economic"),
    ("border", "boundary", "frontier"),
    ("island", "islands", "territories", "territory"),
    ("aid", "assistance", "oda", "official development assistance"),
    ("sanction", "sanctions", "restrictive measures"),
    ("minister", "ministerial"),
    ("drug", "drugs", "narcotics"),
    ("dispute", "issue", "concern"),
    ("ceasefire", "truce"),
    ("refugee", "displaced", "asylum"),
    ("vaccine", "vaccination", "immunization"),
)

# Japanese-government abbreviations that appear without a spelled-out form.
GENERIC_ABBREVIATIONS: dict[str, str] = {
    "jgsdf": "japan ground self defense force",
    "jmsdf": "japan maritime self defense force",
    "jasdf": "japan air self defense force",
    "sdf": "self defense forces",
    "mofa": "ministry of foreign affairs",
    "mod": "ministry of defense",
    "meti": "ministry of economy trade and industry",
    "jcg": "japan coast guard",
    "jica": "japan international cooperation agency",
    "jetro": "japan external trade organization",
    "jbic": "japan bank for international cooperation",
    "oda": "official development assistance",
    "nss": "national security secretariat",
    "fta": "free trade agreement",
    "epa": "economic partnership agreement",
    "ldp": "liberal democratic party",
}

_PAREN = re.compile(r"\(([A-Z][A-Za-z0-9&+\- ]{0,14}[A-Za-z0-9])\)")
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")


def _long_form(short: str, before: str) -> str | None:
    """Schwartz & Hearst: match the short form's letters right to left in the words before it."""
    words = _WORD.findall(before)[-(len(short) + 5) :]
    if not words:
        return None
    long = " ".join(words)
    s = len(short) - 1
    i = len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    result = long[start:].strip()
    if len(result.split()) > len(short) + 5 or result.lower() == short.lower():
        return None
    return result


def find_abbreviations(texts: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(short form, long form) pairs written as `Long Form (ABBR)` anywhere in `texts`."""
    for text in texts:
        if "(" not in text:
            continue
        for match in _PAREN.finditer(text):
            short = match.group(1)
            letters = sum(1 for ch in short if ch.isupper())
            if letters < 2 or len(short) > 15:
                continue
            long = _long_form(short, text[max(0, match.start() - 200) : match.start()])
            if long:
                yield short, long
