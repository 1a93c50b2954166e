from bot.search import tokens as tx
from bot.search.excerpt import bold
from bot.search.vocab import Vocabulary
from tests.support.search import seed_index


def test_number_forms_meet():
    assert tx.terms("178.0 billion") == tx.terms("178 billion")
    assert tx.terms("1,334 people")[0] == "1334"
    assert tx.terms("2.3459 trillion")[0] == "2.3459"


def test_month_forms_and_abbreviated_country():
    assert tx.terms("sep")[0] == tx.terms("sept")[0] == tx.terms("September")[0]
    assert tx.terms("dec 19") == tx.terms("December 19")
    assert tx.terms("the U.S.,")[-1] == "us"
    assert tx.terms("Russia's")[0] == tx.terms("Russia")[0]


def test_light_stemming():
    assert tx.stem("sanctions") == tx.stem("sanction")
    assert tx.stem("imported") == tx.stem("import")
    assert tx.stem("growing") == tx.stem("grow")
    assert tx.stem("exchanges") == tx.stem("exchange")


def test_prefix_stem_relates_disqualified_to_disqualification():
    index = seed_index()
    assert "disqualification" in index.related_terms(tx.term("disqualified")) or any(
        t.startswith("disqualif") for t in index.related_terms(tx.term("disqualified"))
    )


def test_section_labels_are_not_words():
    index = seed_index()
    # "(2)" is a heading label; the only "2" indexed comes from the text (Arctic LNG 2).
    assert all(
        len(e.section.label) == 0 or e.section.label not in e.section.text
        for e in index.sections
        if e.section.label.startswith("(")
    )


def test_typo_repair_only_for_unknown_words():
    vocab = Vocabulary({"may": 3, "exchange": 5, "corruption": 1, "lng": 2, "russian": 9})
    assert vocab.repair("many") is None  # not a transposition of a known word
    assert vocab.repair("may") is None  # known words are never repaired
    assert vocab.repair("exchnage") == "exchange"
    assert vocab.repair("corupption") == "corruption"
    assert vocab.repair("lgn") == "lng"
    assert vocab.repair("russain") == "russian"
    assert vocab.repair("navalny") is None


def test_bold_merges_neighbours_and_skips_urls():
    out = bold(
        "the Maritime Security Agencies see https://x.org/security",
        {tx.term("maritime"), tx.term("security")},
    )
    assert "**Maritime Security**" in out
    assert "https://x.org/security" in out
