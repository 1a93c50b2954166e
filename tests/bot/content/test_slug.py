from bot.content.slug import slug_path, slugify


def test_slug_rule_matches_evaluation_ids() -> None:
    assert slugify("Security, Defense Exchanges and Maritime Security") == (
        "security-defense-exchanges-and-maritime-security"
    )
    assert slugify("Japan-Russia Relations in the Asia-Pacific Region") == (
        "japan-russia-relations-in-the-asia-pacific-region"
    )


def test_slug_rule_folds_accents_and_ampersands() -> None:
    assert slugify("Côte d'Ivoire & Ghana") == "cote-d-ivoire-ghana"
    assert slugify("  (1) Situation  ") == "1-situation"


def test_slug_path_joins_ancestors() -> None:
    assert slug_path(["Russia", "Situation in Russia"]) == "russia/situation-in-russia"
