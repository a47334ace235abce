"""A story of the daily briefing names its people as a newsreader does: in full (and with the role
its articles give) at the first mention in the story, short after; a sentence opening on "she" is
said with the sentence that named her, or names her, or is left out. Text only: no feeds, no audio."""

from __future__ import annotations

from briefing.daily.editor.tell import corroborated, headline, introduced, telling
from briefing.text.script import spoken_sentences

HERALD = ["Plans for 600 homes at Greyfield were approved on Friday night.",
          "Ashdown Homes managing director Clare Venn said work could start in spring.",
          "More than 1,400 people objected to the scheme."]
WIRE = ["Councillors approved the Greyfield housing scheme by seven votes to four.",
        "Ms Venn said the homes would have heat pumps and solar panels.",
        "Residents' group Save Greyfield Fields said it was considering a legal challenge.",
        "Its chair, Tom Eades, said councillors had ignored the people.",
        '"We will fight on," he said.']


def spoken(*texts: str) -> list[str]:
    return [sentence for text in texts for sentence in spoken_sentences(text)]


def test_the_first_mention_in_a_story_is_in_full_with_its_role_in_what_is_said_and_shown() -> None:
    articles = [spoken(*HERALD), spoken(*WIRE)]
    told = introduced([articles[0][0], articles[1][1], articles[1][1]], articles)
    assert told[1].display == ("Ashdown Homes managing director Clare Venn said the homes would have heat pumps "
                               "and solar panels.")
    assert str(told[1]).startswith("Ashdown Homes managing director Clare Venn said")
    assert told[2].display.startswith("Ms Venn said")  # later mentions stay short


def test_each_story_introduces_its_people_again_and_a_told_text_counts_as_introducing_them() -> None:
    articles = [spoken(*HERALD), spoken(*WIRE)]
    once = introduced([articles[1][1]], articles)
    again = introduced([articles[1][1]], articles)  # another story, or another day's telling
    assert once[0].display == again[0].display and "Clare Venn" in once[0].display
    update = introduced([articles[1][1]], articles, told=spoken("Clare Venn, the developer's boss, welcomed the vote."))
    assert update[0].display.startswith("Ms Venn said")


def test_a_quote_said_without_the_sentence_naming_its_speaker_names_him_or_is_left_out() -> None:
    articles = [spoken(*HERALD), spoken(*WIRE)]
    named = introduced([articles[0][0], articles[1][4]], articles)
    assert [s.display for s in named] == [HERALD[0], '"We will fight on," Tom Eades said.']
    kept = introduced([articles[1][3], articles[1][4]], articles)
    assert kept[1].display == '"We will fight on," he said.'  # its speaker was just named
    unnamed = [spoken("A fire broke out at a warehouse on Monday."),
               spoken("Crews from three towns were called.", "Two firefighters were hurt, and Ms Okafor and Mr Lind praised them.",
                      '"They were brave," she said.')]
    assert introduced([unnamed[0][0], unnamed[1][2]], unnamed) == [unnamed[0][0]]  # two people before it: left out


def test_a_sentence_leaning_on_one_left_out_as_a_repeat_is_not_said_alone() -> None:
    lede = spoken("A fire destroyed the Norrel Chemicals warehouse on Calder Street in Westhaven on Monday morning.",
                  "The Norrel Chemicals warehouse on Calder Street in Westhaven burned down on Monday.",
                  '"It was frightening," she said.')
    said = telling("Warehouse fire", lede, [], 36)  # the second is over the lede's share, and says the first again
    assert [s.display for s in said] == [lede[0].display]


def test_the_lede_article_keeps_every_sentence_a_chosen_one_leans_on() -> None:
    lede = spoken("A fire broke out at a warehouse in Westhaven on Monday.", "Chief fire officer Dana Okafor led the crews.",
                  "She said the roof had fallen in.", '"Norrel Chemicals stored 200 drums of solvent," she said.')
    others = [spoken("Norrel Chemicals stored 200 drums of solvent at the site, the fire service said.")]
    assert corroborated(lede, others, 60) == lede


def test_a_headline_naming_someone_by_surname_says_the_full_name() -> None:
    articles = [spoken(*HERALD), spoken(*WIRE)]
    assert headline("Venn wins Greyfield vote", articles) == "Clare Venn wins Greyfield vote"
    assert headline("Greyfield homes approved", articles) == "Greyfield homes approved"


def test_a_sentence_rewritten_for_a_first_mention_keeps_the_story_s_acronyms_inside_shouted_text() -> None:
    articles = [spoken("Mariam Haddad, who chairs the WAG, led the march through Kenbury.",
                       'Haddad led chants of "WAG SAYS SAVE OUR PARK" outside the town hall.',
                       "Ms Haddad said the council had not listened.")]
    [told] = introduced([articles[0][1]], articles)
    assert told.display.startswith("Mariam Haddad led chants")
    assert "W.A.G says save our park" in str(told)  # the WAG as the story names it, not the word 'wag'


def test_a_story_s_sentences_keep_its_acronyms_inside_shouted_text_of_any_paragraph() -> None:
    from briefing.daily.run import _brief_sentences
    from briefing.model import Article, Paragraph

    article = Article(title="Park protest", source="t", format="text", paragraphs=[
        Paragraph('Protesters chanted "WAG SAYS SAVE OUR PARK" outside the town hall on Monday.', 0),
        Paragraph("The WAG, a residents' group, organised the protest.", 1)])
    [first, _] = _brief_sentences(article)
    assert "W.A.G says save our park" in str(first)
