"""A script does not say the same fact twice: a sentence whose content words a chosen sentence
nearly all holds is left out, and the fuller one is kept."""

from __future__ import annotations

import pytest

from briefing.model import Article, Paragraph
from briefing.text.selection import Budget, is_list_of_names, select


def test_a_sentence_that_a_chosen_one_says_more_fully_is_left_out() -> None:
    paragraphs = [
        "The river burst its banks in Kelby on Sunday night, flooding more than 300 homes and the town's school.",
        "Rescue teams worked through the night to move older residents to the leisure centre.",
        "More than 300 homes in Kelby were flooded.",
        "Kelby's flood barrier, built in 1998, was overtopped for the first time, the council said.",
    ]
    article = Article(title="Floods", paragraphs=[Paragraph(t, i, "lede" if i == 0 else "story") for i, t in enumerate(paragraphs)],
                      source="t", format="text")
    chosen = [p.text for p in select(article, Budget(200))]
    assert paragraphs[0] in chosen and paragraphs[2] not in chosen
    assert paragraphs[1] in chosen and paragraphs[3] in chosen


def _article(paragraphs: list[str]) -> Article:
    return Article(title="Floods", paragraphs=[Paragraph(t, i, "lede" if i == 0 else "story") for i, t in enumerate(paragraphs)],
                   source="t", format="text")


def test_a_sentence_chosen_first_gives_way_when_one_that_says_it_more_fully_is_chosen() -> None:
    # Invented. The short sentence comes early and is chosen first; the fuller one later says it all
    # and more, so the script keeps the fuller one and drops the short one.
    paragraphs = [
        "The river burst its banks in Kelby on Sunday night, flooding more than 300 homes.",
        "Police have been investigating the collapse of the flood barrier.",
        "Rescue teams worked through the night to move older residents to the leisure centre.",
        "The council said the barrier had been inspected in the autumn and found sound.",
        "A local paper reported that an engineer also told police investigating the collapse of the flood barrier that its gates had jammed.",
    ]
    chosen = [p.text for p in select(_article(paragraphs), Budget(200))]
    assert paragraphs[4] in chosen and paragraphs[1] not in chosen
    assert paragraphs[0] in chosen and paragraphs[2] in chosen and paragraphs[3] in chosen


def test_a_short_sentence_full_of_names_is_still_a_sentence_that_can_repeat() -> None:
    # Invented: capitalised words do not make "Ward had Harbour Mill Lung disease." a list of names.
    paragraphs = [
        "A retired fisherman from Kelby spent two years unable to climb stairs before doctors found the cause.",
        "Harbour Mill Lung disease is a rare allergy to grain dust, and it is hard to diagnose because its symptoms vary.",
        "Ward had Harbour Mill Lung disease.",
    ]
    chosen = [p.text for p in select(_article(paragraphs), Budget(200))]
    assert paragraphs[1] in chosen and paragraphs[2] not in chosen


@pytest.mark.parametrize("text, is_list", [
    ("Abel, Brand, Carver, Dunn, Ekwe, Frost, Gale, Holt, Innes, Judd.", True),
    ("Ward had Harbour Mill Lung disease.", False),
    ("Abel, the captain, scored twice, and Brand added a third before half-time.", False),
])
def test_a_team_sheet_is_a_list_of_names_and_a_sentence_with_names_is_not(text: str, is_list: bool) -> None:
    # Two team sheets tell different things however many names they share, so they are never compared.
    assert is_list_of_names(text) is is_list
