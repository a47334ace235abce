"""Every sentence of a script stands alone for its quotation marks: a page never shows a lone mark,
whether a quote ran over a sentence end, lost its other half to sentence selection, or was split
by the sentence splitter. Invented sentences and stories."""

from __future__ import annotations

import re

import pytest

from briefing.model import Article, Paragraph
from briefing.text.selection import Budget, select
from briefing.text.sentences import balanced_quotes, split_sentences


@pytest.mark.parametrize("sentence, balanced", [
    ('She said: "We will win.', 'She said: "We will win."'),
    ('Then we were brilliant," she said.', '"Then we were brilliant," she said.'),
    ('“We were poor for an hour.', '“We were poor for an hour.”'),
    ('"We were poor. "Then we won," she said.', '"We were poor." "Then we won," she said.'),
    ('Jimmy "the Whirlwind " White won.', 'Jimmy "the Whirlwind " White won.'),
    ('He said "yes" and " no more.', 'He said "yes" and no more.'),
    ('It ended "badly" and then" more.', 'It ended "badly" and then more.'),
    ('He is 6ft 2" tall, "the tallest", she said.', 'He is 6ft 2" tall, "the tallest", she said.'),
    ('The "State of Markets 2004" report said so.', 'The "State of Markets 2004" report said so.'),
    ('No quotation here at all.', 'No quotation here at all.'),
])
def test_a_sentence_has_its_quotes_paired(sentence: str, balanced: str) -> None:
    assert balanced_quotes(sentence) == balanced


def test_a_closing_mark_the_splitter_moved_goes_back_to_its_sentence() -> None:
    text = '"It will be nothing more than a break, as broadcasters say." Conservative spokeswoman Ann Lee disagreed.'
    assert split_sentences(text) == ['"It will be nothing more than a break, as broadcasters say."',
                                     "Conservative spokeswoman Ann Lee disagreed."]


def test_a_quote_cut_by_selection_is_closed_where_the_cut_falls() -> None:
    paragraphs = [
        Paragraph('The manager of Harbour Town said: "We will win the cup this year. We have the best squad in '
                  'the whole league by a long distance and the loudest fans anywhere in the county, and everyone '
                  'at the club knows that this is the season when all of the hard work finally pays off.', 0,
                  section="lede"),
        Paragraph('"Nobody here is thinking about anything else," he told reporters at the training ground.', 1),
    ]
    article = Article(title="Manager confident", paragraphs=paragraphs, source="test", format="list")
    chosen = select(article, Budget(20))
    said = " ".join(paragraph.text for paragraph in chosen)
    assert said.startswith('The manager of Harbour Town said: "We will win the cup this year."')
    assert all(len(re.findall(r'["“”]', sentence)) % 2 == 0 for sentence in split_sentences(said))
