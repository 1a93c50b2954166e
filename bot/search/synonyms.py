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
from functools import lru_cache

# Each group lists phrases that may stand for each other in a query.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("coast guard", "maritime security", "maritime safety", "coastguard"),
    ("ties", "relations", "relationship", "bilateral relations"),
    ("western", "west", "european", "europe", "g7"),
    ("western", "us", "united states"),
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
    # Words users ask with that the Bluebook rarely uses itself.
    ("popular", "popularity", "approval rating", "approval", "public support"),
    ("troops", "military forces", "armed forces", "soldiers", "military"),
    ("fdi", "direct investment", "foreign direct investment"),
    ("invest", "direct investment", "investment"),
    ("decline", "decreased", "fell", "lower", "reduced", "reduction", "drop", "dropped"),
    ("replace", "replaced", "successor", "succeed", "took office", "resignation", "resigned"),
    ("resign", "resignation", "resigned", "step down", "stepped down"),
    ("car", "automobile", "vehicle", "auto"),
    ("factory", "plant", "manufacturing", "production"),
    ("leave", "leaving", "withdraw", "withdrawal"),
    ("brexit", "united kingdom withdrawal", "withdrawal of the united kingdom", "uk withdrawal"),
    ("size", "scale", "magnitude"),
    ("big", "large", "largest", "biggest"),
    ("zone", "area", "areas"),
    ("renew", "renewed", "extend", "extended", "extension", "prolong", "prolonged"),
    ("plane", "airplane", "aircraft", "flight"),
    ("fly", "flying", "flight", "flights"),
    ("together", "joint", "jointly"),
    ("focus", "importance", "priority", "emphasis"),
    ("attract", "attracted", "drew", "turnout", "turned out"),
    ("kill", "killed", "deaths", "casualties"),
    ("nukes", "nuclear weapons"),
    ("money", "funding", "finance", "financial"),
    ("jobs", "employment"),
    ("pact", "treaty", "agreement"),
    ("talk", "talks", "dialogue", "discussions"),
    ("chief", "head", "commander"),
    ("boss", "head", "chief", "leader"),
    ("hack", "hacking", "cyber attack", "cyber"),
    ("spy", "espionage", "intelligence"),
    ("kidnapping", "abduction"),
    ("migrants", "migration", "immigration", "refugees"),
    ("warming", "climate change"),
    ("ruble", "rouble"),
    ("value", "amount", "volume", "total"),
    ("percent", "percentage"),
    ("fy", "fiscal year"),
    ("ship", "vessel", "boat"),
    ("finish", "finished", "complete", "completed", "completion"),
    # Abbreviations of common words, as people type them.
    ("conference", "conf"),
    ("meeting", "mtg"),
    ("international", "intl"),
    ("national", "natl"),
    ("government", "govt", "gov"),
    ("information", "info"),
    ("administration", "admin"),
    ("department", "dept"),
    ("economy", "econ"),
    ("statistics", "stats"),
    ("organization", "org"),
    # Countries and the adjectives users type for them.
    ("france", "french"),
    ("germany", "german"),
    ("italy", "italian"),
    ("spain", "spanish"),
    ("india", "indian"),
    ("korea", "korean"),
    ("mongolia", "mongolian"),
    ("ukraine", "ukrainian"),
    ("georgia", "georgian"),
    ("armenia", "armenian"),
    ("azerbaijan", "azerbaijani"),
    ("kazakhstan", "kazakh"),
    ("uzbekistan", "uzbek"),
    ("kyrgyzstan", "kyrgyz"),
    ("tajikistan", "tajik"),
    ("turkmenistan", "turkmen"),
    ("mexico", "mexican"),
    ("brazil", "brazilian"),
    ("argentina", "argentine", "argentinian"),
    ("canada", "canadian"),
    ("australia", "australian"),
    ("poland", "polish"),
    ("netherlands", "dutch"),
    ("turkey", "turkish"),
    ("iran", "iranian"),
    ("syria", "syrian"),
    ("sweden", "swedish"),
    ("norway", "norwegian"),
    ("finland", "finnish"),
    ("denmark", "danish"),
    ("iceland", "icelandic"),
    ("belgium", "belgian"),
    ("austria", "austrian"),
    ("switzerland", "swiss"),
    ("greece", "greek"),
    ("portugal", "portuguese"),
    ("ireland", "irish"),
    ("hungary", "hungarian"),
    ("romania", "romanian"),
    ("bulgaria", "bulgarian"),
    ("serbia", "serbian"),
    ("croatia", "croatian"),
    ("estonia", "estonian"),
    ("latvia", "latvian"),
    ("lithuania", "lithuanian"),
    ("belarus", "belarusian"),
    ("egypt", "egyptian"),
    ("israel", "israeli"),
    ("iraq", "iraqi"),
    ("afghanistan", "afghan"),
    ("pakistan", "pakistani"),
    ("bangladesh", "bangladeshi"),
    ("vietnam", "vietnamese"),
    ("thailand", "thai"),
    ("philippines", "filipino", "philippine"),
    ("indonesia", "indonesian"),
    ("malaysia", "malaysian"),
    ("singapore", "singaporean"),
    ("cambodia", "cambodian"),
    ("nigeria", "nigerian"),
    ("ghana", "ghanaian"),
    ("kenya", "kenyan"),
    ("ethiopia", "ethiopian"),
    ("senegal", "senegalese"),
    ("chile", "chilean"),
    ("peru", "peruvian"),
    ("colombia", "colombian"),
    ("venezuela", "venezuelan"),
    ("cuba", "cuban"),
    ("fiji", "fijian"),
    ("samoa", "samoan"),
    ("tonga", "tongan"),
    # Other names of countries: users type the common English name, the Bluebook the
    # official one (or the reverse).
    ("timor leste", "east timor"),
    ("cote d'ivoire", "ivory coast"),
    ("myanmar", "burma"),
    ("eswatini", "swaziland"),
    ("czech republic", "czechia"),
    ("netherlands", "holland"),
    ("turkiye", "turkey"),
    ("north macedonia", "macedonia"),
    ("cabo verde", "cape verde"),
    ("viet nam", "vietnam"),
    ("lao pdr", "laos"),
    ("brunei darussalam", "brunei"),
    ("kyrgyz republic", "kyrgyzstan"),
    ("united arab emirates", "uae", "emirates"),
    ("democratic republic of the congo", "dr congo", "drc"),
    ("new zealand", "nz"),
    ("papua new guinea", "png"),
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
    "fdi": "foreign direct investment",
    "unsc": "united nations security council",
    "unga": "united nations general assembly",
    "asean": "association of southeast asian nations",
    "apec": "asia pacific economic cooperation",
    "nato": "north atlantic treaty organization",
    "wto": "world trade organization",
    "iaea": "international atomic energy agency",
    "imf": "international monetary fund",
    "eez": "exclusive economic zone",
    "gdp": "gross domestic product",
    "lng": "liquefied natural gas",
    "mou": "memorandum of understanding",
    "tpp": "trans pacific partnership",
    "cptpp": "comprehensive and progressive agreement for trans pacific partnership",
    "rcep": "regional comprehensive economic partnership",
    "foip": "free and open indo pacific",
    "ticad": "tokyo international conference on african development",
    "sdgs": "sustainable development goals",
    "npt": "treaty on the non proliferation of nuclear weapons",
    "ctbt": "comprehensive nuclear test ban treaty",
    "icbm": "intercontinental ballistic missile",
    "undp": "united nations development programme",
    "unhcr": "united nations high commissioner for refugees",
    "wfp": "world food programme",
    # Security and economic agreements, frameworks and bodies the Bluebook names in full
    # where users type the acronym (`japan uk RAA`).
    "raa": "reciprocal access agreement",
    "acsa": "acquisition and cross servicing agreement",
    "gsomia": "general security of military information agreement",
    "ipef": "indo pacific economic framework",
    "jcpoa": "joint comprehensive plan of action",
    "icj": "international court of justice",
    "icc": "international criminal court",
    "unclos": "united nations convention on the law of the sea",
    "pko": "peacekeeping operations",
    "wmd": "weapons of mass destruction",
    "slbm": "submarine launched ballistic missile",
    "eas": "east asia summit",
    "arf": "asean regional forum",
    "eaeu": "eurasian economic union",
    "csto": "collective security treaty organization",
    "bri": "belt and road initiative",
    "aiib": "asian infrastructure investment bank",
    "adb": "asian development bank",
    "hadr": "humanitarian assistance and disaster relief",
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


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a long literal, as a set."""
    return frozenset(text.split())


# Words that name no topic of their own in the Bluebook: every chapter is about Japan's
# relations, meetings and cooperation with someone. A query's other words decide whether a
# section answers it ("japan italy relations" is about Italy).
GENERIC_WORDS: frozenset[str] = word_set(
    """
    japan japanese relations relation relationship relationships ties bilateral summit summits
    meeting meetings talks visit visits visited cooperation cooperate project projects program
    programs programme programmes plan plans policy policies issue issues situation country
    countries government governments international foreign minister ministers ministerial
    agreement agreements framework initiative initiatives exchange exchanges affairs diplomacy
    diplomatic region regions regional world global leader leaders official officials
    state states nation nations national held hold holding
    """
)

# Common English words that phrase a question rather than name its topic. When one of them
# is not in the content at all, that is phrasing, not a sign the topic is missing.
PHRASING_WORDS: frozenset[str] = word_set(
    """
    big bigger biggest large larger largest small smaller smallest huge size amount level
    new newest old latest recent recently current currently near nearby together leaving
    leave left happen happened happens role status update updates news detail details
    info information summary overview explain describe mean means meaning say said says
    think important main key really actually like whether kind type sort way ways today
    take took taken make made go went come came put keep kept help need used use using try
    tried able become became begin began first last next previous number numbers figure
    figures total percent percentage exactly approximately roughly overall general generally
    involved involve involving regarding related concerning current stand stands define
    definition called call name named latest progress outcome result results effect effects
    impact reason reasons purpose goal goals aim aims plus belong belongs belonged include
    includes included consist consists contain contains join joins joined part parts
    participate participated deal dealt handle handled respond responded response doing done
    going get getting got give given giving show shown showing look looking find found
    possible currently ongoing still yet already ever often much many more most less least
    happening situation case cases matter matters point points fact facts example examples
    bring brought share developments year years w vs versus
    """
)

# British -> American spelling pairs, applied to word endings (and `our` inside a word).
_SPELLING_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ence", "ense"),
    ("ences", "enses"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("gramme", "gram"),
    ("grammes", "grams"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("lled", "led"),
    ("lling", "ling"),
    ("ement", "ment"),
)


@lru_cache(maxsize=8192)
def spelling_variants(word: str) -> tuple[str, ...]:
    """British and American spellings of `word` (`defence` -> `defense`, `program` -> `programme`).

    Only endings and `our` are rewritten; the caller keeps the variants the content uses, so a
    made-up form like `presense` is never searched for. Cached: every query word of /search
    and /section asks, and the same words come back.
    """
    out: list[str] = []
    if len(word) < 4 or not word.isalpha():
        return ()
    for brit, amer in _SPELLING_SUFFIXES:
        for a, b in ((brit, amer), (amer, brit)):
            if word.endswith(a) and len(word) - len(a) >= 2:
                v = word[: -len(a)] + b
                if v not in out and v != word:
                    out.append(v)
    if "our" in word[1:]:
        v = word[0] + word[1:].replace("our", "or")
        if v not in out:
            out.append(v)
    elif "or" in word[1:]:
        i = word.find("or", 1)
        if word[i - 1] not in "aeiou":
            v = word[:i] + "our" + word[i + 2 :]
            if v not in out:
                out.append(v)
    return tuple(out)
