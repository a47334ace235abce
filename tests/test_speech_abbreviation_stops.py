"""A full stop inside a sentence is not its end: the voice must not pause and fall at 'L.A.P.D.',
'Calif.' or 'Inc.'; and a dateline is not read into the story's first sentence."""

from __future__ import annotations

import re

import pytest

from briefing.text.clean import clean
from briefing.text.listening import for_listening
from briefing.model import RawArticle
from briefing.text.script import spoken_sentences

# How hibari (and espeak) find a sentence end inside the text they are given.
ENGINE_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=\S)")


@pytest.mark.parametrize("paragraph, sentences", [
    ('"We are investigating," L.A.P.D. Chief Michel Moore said. "We will find them."', 2),
    ("The company, based in Sacramento, Calif., said it would appeal. Shares fell.", 2),
    ("He moved to Portland, Ore. in 2019. He liked it there.", 2),
    ("He joined Amazon.com Inc. last year. He left in May.", 2),
    ("The N.Y.P.D. Commissioner spoke on Monday. He was angry.", 2),
    ("Officials in St. Louis, Mo., said the storm had passed. Power returned.", 2),
    ("He works for the U.S. Army in Germany. He is a sergeant.", 2),
])
def test_each_spoken_sentence_has_no_inner_end_the_voice_would_stop_at(paragraph: str, sentences: int) -> None:
    spoken = spoken_sentences(paragraph)
    assert len(spoken) == sentences
    for sentence in spoken:
        assert not ENGINE_SENTENCE_END.search(str(sentence)), sentence


@pytest.mark.parametrize("text, state", [
    ("Lawmakers in Albany, N.Y., met on Monday.", "Albany, New York"),
    ("The company, based in Sacramento, Calif., said it would appeal.", "Sacramento, California"),
    ("A rally was held in Portland, Ore. on Sunday.", "Portland, Oregon on"),
])
def test_a_state_after_a_city_is_said_in_full(text: str, state: str) -> None:
    assert state in str(spoken_sentences(text)[0])


@pytest.mark.parametrize("lede, opening", [
    ("ALBANY, N.Y. — Hours before the vote, lawmakers met in private.", "Hours before"),
    ("ALBANY, N.Y. Hours before the vote, lawmakers met in private.", "Hours before"),
    ("WASHINGTON (Reuters) - The Senate passed the bill on Tuesday.", "The Senate"),
    ("ST. LOUIS, Mo. (AP) — A storm tore roofs from houses on Friday.", "A storm"),
    ("Washington — Two federal judges ruled against the order on Friday.", "Two federal"),
    ("GLASGOW, Scotland — Police said the road would reopen.", "Police said"),
])
def test_a_dateline_is_not_read_into_the_first_sentence(lede: str, opening: str) -> None:
    article = clean(RawArticle(title="A story", paragraphs=[lede, "A second paragraph follows here."], source="t", format="text"))
    assert for_listening(article).paragraphs[0].text.startswith(opening)


@pytest.mark.parametrize("lede", [
    "NATO, Britain and France agreed a plan on Monday.",
    "Trump — who denies wrongdoing — spoke on Monday.",
    "UK inflation fell to 2% in May.",
    "U.S. President Donald Trump said he would raise tariffs.",
    "U.S. Attorney James Kennedy said the case was closed.",
])
def test_a_sentence_that_opens_with_capitals_is_not_a_dateline(lede: str) -> None:
    article = clean(RawArticle(title="A story", paragraphs=[lede], source="t", format="text"))
    assert for_listening(article).paragraphs[0].text == lede


def test_a_state_after_a_party_letter_is_said_in_full() -> None:
    spoken = str(spoken_sentences("He threatened Rep. Jo Ruiz (D-Minn.), the office said.")[0])
    assert "Democrat of Minnesota, the office said" in spoken


def test_a_state_that_ends_the_sentence_keeps_its_full_stop() -> None:
    assert str(spoken_sentences("He threatened to kill Rep. Jo Ruiz, D-Minn.")[0]).endswith("Democrat of Minnesota.")


@pytest.mark.parametrize("paragraph, sentences", [
    ("The firm, Ocado Group plc., reported a loss. Shares fell.", ["The firm, Ocado Group plc., reported a loss.", "Shares fell."]),
    ("The new Galaxy S24 Ultra. costs more. Fans complained.", ["The new Galaxy S24 Ultra. costs more.", "Fans complained."]),
    ("Sales rose. iPhone sales fell. eBay grew.", ["Sales rose.", "iPhone sales fell.", "eBay grew."]),
])
def test_a_name_ending_in_a_full_stop_does_not_end_the_sentence(paragraph: str, sentences: list[str]) -> None:
    from briefing.text.sentences import split_sentences

    assert split_sentences(paragraph) == sentences
