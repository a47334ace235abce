"""First mentions: a person or an organisation named in the chosen text by a short form is named in
full there when the article gave the full form in a sentence that was not chosen."""

from __future__ import annotations

from briefing.text.mentions import introduce_first_mentions
from briefing.model import Article, Paragraph
from briefing.text.script import build_script
from briefing.voices import Pauses


def _article(*texts: str) -> Article:
    return Article(title="A story", paragraphs=[Paragraph(text, i) for i, text in enumerate(texts)], source="t", format="text")


def _first_mentions(article: Article, *chosen: int) -> list[str]:
    return [p.text for p in introduce_first_mentions(article, [article.paragraphs[i] for i in chosen])]


def test_a_surname_alone_becomes_the_full_name_at_first_mention_only() -> None:
    article = _article("Marta Okafor, who leads the port authority, opened the new dock on Monday.",
                       "Okafor said the dock would double trade. Okafor thanked the crews.")
    assert _first_mentions(article, 1) == ["Marta Okafor said the dock would double trade. Okafor thanked the crews."]


def test_a_courtesy_title_gives_way_to_the_full_name_and_a_rank_stays() -> None:
    article = _article("Tomas Lind and Priya Raman wrote the report.", "Mr Lind met Dr Raman on Friday. Raman said it went well.")
    assert _first_mentions(article, 1) == ["Tomas Lind met Dr Priya Raman on Friday. Raman said it went well."]


def test_a_person_already_named_in_full_in_the_chosen_text_is_left_alone() -> None:
    article = _article("Marta Okafor opened the dock.", "Marta Okafor said trade would double. Okafor smiled.")
    assert _first_mentions(article, 1) == ["Marta Okafor said trade would double. Okafor smiled."]


def test_a_capitalised_common_word_is_not_a_first_name() -> None:
    article = _article("Like Instagram, the app hides likes from users.", "Instagram said it was only a test.")
    assert _first_mentions(article, 1) == ["Instagram said it was only a test."]


def test_an_organisation_is_spelled_out_before_its_short_form() -> None:
    article = _article("The World Health Organization (WHO) warned of the risk.", "The WHO said the risk was low. The WHO met.")
    assert _first_mentions(article, 1) == ["The World Health Organization said the risk was low. The WHO met."]


def test_the_script_says_and_shows_the_full_name() -> None:
    article = _article("Marta Okafor, who leads the port authority, opened a new dock on Monday.",
                       "Okafor said the dock would double trade within five years.")
    script = build_script(article, [article.paragraphs[1]], Pauses())
    [segment] = [segment for segment in script.segments() if segment.source == 1]
    assert segment.display.startswith("Marta Okafor said") and segment.text.startswith("Marta Okafor said")


def test_a_bill_is_named_at_first_mention() -> None:
    article = _article("The Senate passed the Clean Rivers and Lakes Act on Wednesday.",
                       "Farmers said the bill would raise costs. Supporters said the bill was overdue.")
    assert _first_mentions(article, 1) == [
        "Farmers said the Clean Rivers and Lakes Act would raise costs. Supporters said the bill was overdue."]


def test_the_bill_stays_when_the_story_names_two() -> None:
    article = _article("The Senate passed the Clean Rivers Act and the Farm Support Bill.", "Farmers said the bill would raise costs.")
    assert _first_mentions(article, 1) == ["Farmers said the bill would raise costs."]


def test_a_bill_named_at_the_start_of_a_sentence_is_one_bill() -> None:
    article = _article("The Clean Rivers Act passed on Wednesday.", "Supporters of the Clean Rivers Act cheered.",
                       "Farmers said the bill would raise costs.")
    assert _first_mentions(article, 2) == ["Farmers said the Clean Rivers Act would raise costs."]
