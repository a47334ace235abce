"""A script does not say the same fact twice: a sentence whose content words a chosen sentence
nearly all holds is left out, and the fuller one is kept."""

from __future__ import annotations

from briefing.model import Article, Paragraph
from briefing.text.selection import Budget, select


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
