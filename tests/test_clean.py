"""Cleaning: every boilerplate rule on real-looking paragraphs, content that only mentions the same words,
HTML stripping, the bold lede and the byline that opens an analysis section."""

from __future__ import annotations

import pytest

from briefing.text.clean import RULES, SHAPES, clean, matching_rule, strip_html
from briefing.text.listening import for_listening
from briefing.errors import InputError
from briefing.model import RawArticle

STORY = [
    "Firefighters spent the night tackling a blaze at a recycling plant on the edge of Hartley.",
    "About 40 homes were evacuated as a precaution, and residents were told to keep their windows shut.",
]

# Real-looking boilerplate paragraphs, each with the rule that must drop it.
VARIANTS: list[tuple[str, str]] = [
    ("This video can not be played", "video placeholder"),
    ("This video cannot be played", "video placeholder"),
    ("Media playback is unsupported on your device", "media playback"),
    ("Media caption, Footage shows the fire spreading through the roof of the warehouse", "media caption"),
    ("Media caption: The moment the bridge was reopened to traffic", "media caption"),
    ("Video caption, Residents describe the moment the water came in", "media caption"),
    ("WATCH: Ukraine seizes abandoned Russian tanks", "watch or listen caption"),
    ("Watch: Widespread blackouts in Ukraine", "watch or listen caption"),
    ("Listen: The governor explains why rates were held", "watch or listen caption"),
    ("In pictures: Storm Ciarán batters the south coast", "watch or listen caption"),
    ("Image source, Getty Images", "image credit or caption"),
    ("Image source, Reuters", "image credit or caption"),
    ("Image caption, Residents queued for water in Izyum on Sunday", "image credit or caption"),
    ("Picture caption: Firefighters at the scene on Tuesday night", "image credit or caption"),
    ("Getty Images", "bare image credit"),
    ("Reuters", "bare image credit"),
    ("EPA", "bare image credit"),
    ("AFP via Getty Images", "bare image credit"),
    ("PA Media", "bare image credit"),
    ("Photograph: Sergey Bobok/AFP", "photo credit line"),
    ("Related Topics", "related topics heading"),
    ("Related Internet Links", "related topics heading"),
    ("More on this story", "more on this story"),
    ("Top Stories", "more on this story"),
    ("Share", "share bar"),
    ("Share this page", "share bar"),
    ("Copy link", "share bar"),
    ("About sharing", "share bar"),
    ("Sign up for our morning newsletter and get BBC News in your inbox.", "newsletter or app promo"),
    ("Sign up to our Ukraine war newsletter", "newsletter or app promo"),
    ("World Cup winner Jürgen Klinsmann invites you to subscribe to his daily World Cup newsletter.",
     "newsletter or app promo"),
    ("Download the BBC News app for the latest updates", "newsletter or app promo"),
    ("Why not follow BBC North West on Facebook, X and Instagram?", "follow us"),
    ("Follow us on Twitter", "follow us"),
    ("Get in touch", "contact form"),
    ("Have your say", "contact form"),
    ("Email haveyoursay@bbc.co.uk", "contact form"),
    ("Email: haveyoursay@bbc.co.uk", "contact form"),
    ("WhatsApp: +44 7756 165803", "contact form"),
    ("Tweet: @BBC_HaveYourSay", "contact form"),
    ("Text: 61124 (UK only)", "contact form"),
    ("Are you affected by the floods? Share your experiences.", "contact form"),
    ("Please include a contact number if you are willing to speak to a BBC journalist.", "contact form"),
    ("© 2022 BBC. The BBC is not responsible for the content of external sites.", "copyright footer"),
    ("Copyright © 2023 Hartley Gazette. All rights reserved.", "copyright footer"),
    ("The BBC is not responsible for the content of external sites.", "external links notice"),
    ("Read about our approach to external linking.", "external links notice"),
    ("Read about our approach to external linking", "external links notice"),
    ("Advertisement", "advertisement"),
    ("Story continues below", "advertisement"),
    ("To play this video you need to enable JavaScript in your browser.", "video placeholder"),
    ("Follow live: Latest updates from the flooded towns", "watch or listen caption"),
    ("Read more: How the storm unfolded overnight", "watch or listen caption"),
    ("Listen to the best of BBC Radio Lancashire on Sounds and follow BBC Lancashire on Facebook.", "follow us"),
    ("Watch the full interview on BBC iPlayer", "follow us"),
    ("Upload pictures or video", "contact form"),
    ("Please read our terms & conditions and privacy policy", "contact form"),
    ("Contact form", "contact form"),
    ("Additional reporting by Jane Smith and Tom Brown", "credit or timestamp line"),
    ("Reporting by Maria Tsvetkova; Editing by Philippa Fletcher", "credit or timestamp line"),
    ("Published 2 hours ago", "credit or timestamp line"),
    ("Updated 14 March 2024", "credit or timestamp line"),
    ("(Writing by Anna Lee; editing by Omar Said)", "credit or timestamp line"),
    ("Continue reading the main story", "read more link"),
    ("Read the full story on our partner site", "read more link"),
    ("We may earn a commission when you buy through links on our site.", "affiliate notice"),
    ("Hartley Gazette Ltd. All rights reserved.", "rights notice"),
    ("Sponsored", "advertisement"),
    ("Text size", "share bar"),
    ("Comments 12", "share bar"),
    ("AP Photo/Evan Vucci", "image credit or caption"),
]

# Content paragraphs that merely mention the words the rules look for.
CONTENT_MENTIONS = [
    "The BBC cannot verify these figures.",
    "Reuters reported that Russian troops had left the town of Balakliia on Friday.",
    "He told the BBC to get in touch with the authorities if anyone saw the missing boy.",
    "Getty Images said it had withdrawn the photograph after a complaint from the family.",
    "Share prices in London fell sharply on Monday after the announcement.",
    "Watch makers in Switzerland have warned of a slump in exports to China.",
    "Listen to almost any farmer in the valley and you will hear the same complaint about the water.",
    "Subscribers to the newsletter were told on Friday that the paper would close after 140 years.",
    "Download speeds in rural areas are still far below those in cities, Ofcom said.",
    "Related stories were also published by the Guardian and the Times on Saturday.",
    "Advertisement spending fell by 10% last year, according to the Advertising Association.",
    "Text messages seen by the BBC show the minister knew of the plan in March.",
    "Follow-up inspections found the same faults in two other bridges.",
    "Photographs taken by residents show the river reaching the first floor of the houses.",
    "Published figures show the number of patients waiting has risen for the third month in a row.",
    "Reporting by the Financial Times suggested the deal had collapsed on Thursday night.",
    "Listen to the residents of Hartley and you will hear anger at the council on every street.",
]


def article(*paragraphs: str, title: str | None = "Fire at recycling plant") -> RawArticle:
    return RawArticle(title=title, paragraphs=list(paragraphs), source="test.txt", format="list")


def kept_texts(raw: RawArticle) -> list[str]:
    return [p.text for p in clean(raw).paragraphs]


@pytest.mark.parametrize("rule", RULES + SHAPES, ids=[rule.name for rule in RULES + SHAPES])
def test_every_rule_drops_its_own_example(rule) -> None:
    assert matching_rule(rule.example) is rule
    cleaned = for_listening(clean(article(STORY[0], rule.example, STORY[1])))
    assert [p.source for p in cleaned.paragraphs] == [0, 2]


def test_every_rule_has_real_looking_variants_here() -> None:
    covered = {name for _, name in VARIANTS}
    assert covered == {rule.name for rule in RULES}


@pytest.mark.parametrize(("text", "rule_name"), VARIANTS, ids=[text[:40] for text, _ in VARIANTS])
def test_boilerplate_paragraph_is_dropped_by_its_rule(text: str, rule_name: str) -> None:
    rule = matching_rule(text)
    assert rule is not None and rule.name == rule_name
    assert kept_texts(article(STORY[0], text, STORY[1])) == STORY


@pytest.mark.parametrize("text", CONTENT_MENTIONS)
def test_content_that_mentions_boilerplate_words_is_kept(text: str) -> None:
    assert matching_rule(text) is None
    assert kept_texts(article(STORY[0], text, STORY[1])) == [STORY[0], text, STORY[1]]


def test_content_paragraph_starting_with_email_and_holding_an_address_is_kept() -> None:
    text = ("Email addresses belonging to 2,000 patients, including some @nhs.net accounts, "
            "were exposed in the breach, the trust said.")
    assert kept_texts(article(STORY[0], text, STORY[1])) == [STORY[0], text, STORY[1]]


def test_boilerplate_wrapped_in_html_is_still_dropped() -> None:
    wrapped = '<p class="caption"><span>Image source,</span> <span>Getty Images</span></p>'
    assert kept_texts(article(STORY[0], wrapped, STORY[1])) == STORY


def test_topic_tags_after_related_topics_are_dropped_but_a_sentence_after_them_is_kept() -> None:
    later = "Investigators will return to the site on Wednesday, the fire service said."
    raw = article(STORY[0], STORY[1], "Related Topics", "Hartley", "Fire and rescue services", "Recycling", later)
    cleaned = clean(raw)
    assert [p.source for p in cleaned.paragraphs] == [0, 1, 6]


def test_short_links_after_more_on_this_story_are_dropped() -> None:
    raw = article(STORY[0], STORY[1], "More on this story", "Will interest rates go down?", "Mortgage rates explained")
    assert [p.source for p in clean(raw).paragraphs] == [0, 1]


def test_short_paragraph_not_after_a_tag_heading_is_kept() -> None:
    raw = article(STORY[0], "Hartley", STORY[1])
    assert [p.source for p in clean(raw).paragraphs] == [0, 1, 2]


# --- HTML ---------------------------------------------------------------------------------------------


def test_tags_and_entities_are_stripped() -> None:
    raw_text = ('<p>Residents in <a href="https://example.com/izyum" class="link">Izyum</a> said the '
                '&quot;liberation&quot; came&nbsp;overnight &amp; without warning.</p>')
    assert strip_html(raw_text) == 'Residents in Izyum said the "liberation" came overnight & without warning.'
    assert kept_texts(article(STORY[0], raw_text)) == [STORY[0], strip_html(raw_text)]


def test_numeric_entities_and_stray_whitespace_are_tidied() -> None:
    assert strip_html("Kyiv&#8217;s   mayor\u200b said\n&#x201C;we are ready&#x201D;.  ") == (
        "Kyiv\u2019s mayor said \u201cwe are ready\u201d."
    )


def test_paragraph_that_is_only_markup_is_dropped_and_keeps_the_indices() -> None:
    cleaned = clean(article(STORY[0], "<br/>", "<p>&nbsp;</p>", STORY[1]))
    assert [p.source for p in cleaned.paragraphs] == [0, 3]


# --- lede and analysis -------------------------------------------------------------------------------------


def test_bold_paragraph_at_the_top_is_the_lede_even_after_boilerplate() -> None:
    bold = '<b class="ssrcss-hmf8ql-BoldText e5tfeyi3">A fire at a recycling plant forced 40 families from their homes.</b>'
    cleaned = clean(article("This video can not be played", "WATCH: Flames tear through the plant", bold, *STORY))
    assert cleaned.paragraphs[0].section == "lede"
    assert cleaned.paragraphs[0].source == 2
    assert cleaned.paragraphs[0].text == "A fire at a recycling plant forced 40 families from their homes."
    assert [p.section for p in cleaned.paragraphs[1:]] == ["story", "story"]


def test_without_a_bold_paragraph_the_first_body_paragraph_is_the_lede() -> None:
    cleaned = clean(article("Getty Images", *STORY))
    assert [(p.source, p.section) for p in cleaned.paragraphs] == [(1, "lede"), (2, "story")]


def test_byline_in_the_middle_opens_an_analysis_section() -> None:
    byline = '<b class="ssrcss-hmf8ql-BoldText e5tfeyi3">By Hugo Bachega, BBC News, Kyiv</b>'
    analysis = [
        "Ukraine's rapid progress seems to have stunned Russia.",
        "But questions remain about how far it can go.",
    ]
    cleaned = clean(article(*STORY, byline, *analysis, "Related Topics", "Russia-Ukraine war"))
    assert [(p.source, p.section, p.is_heading) for p in cleaned.paragraphs] == [
        (0, "lede", False), (1, "story", False), (2, "analysis", True), (3, "analysis", False), (4, "analysis", False),
    ]
    assert cleaned.paragraphs[2].text == "By Hugo Bachega, BBC News, Kyiv"


@pytest.mark.parametrize("byline", [
    "By Hugo Bachega, BBC News, Kyiv",
    "By Faisal Islam, Economics editor",
    "By Simon Jones, BBC transport correspondent",
    "Analysis by Chris Mason, Political editor",
])
def test_real_looking_bylines_mid_article_open_the_analysis(byline: str) -> None:
    cleaned = clean(article(*STORY, byline, "The bigger question is whether the council can pay for it."))
    assert [p.section for p in cleaned.paragraphs] == ["lede", "story", "analysis", "analysis"]


def test_byline_at_the_very_top_does_not_open_an_analysis() -> None:
    cleaned = clean(article("By Tom Evans, local democracy reporter", *STORY))
    assert [(p.source, p.section) for p in cleaned.paragraphs] == [(1, "lede"), (2, "story")]
    assert cleaned.byline == "By Tom Evans, local democracy reporter"


def test_sentence_beginning_with_by_is_not_a_byline() -> None:
    text = "By the end of the day, more than 20 villages had been retaken."
    cleaned = clean(article(*STORY, text))
    assert [(p.source, p.section, p.is_heading) for p in cleaned.paragraphs][-1] == (2, "story", False)


def test_article_with_only_boilerplate_is_an_input_error() -> None:
    with pytest.raises(InputError, match="test.txt: no article text left"):
        clean(article("This video can not be played", "Share", "Related Topics", "Ukraine"))


def test_title_comes_from_the_lede_when_the_input_has_none() -> None:
    cleaned = clean(article(*STORY, title=None))
    assert cleaned.title == "Firefighters spent the night tackling a blaze"


@pytest.mark.parametrize("opening", ["(Reuters) - ", "NEW YORK (Reuters) - ", "PARIS, Nov 5 (AFP) — ", "WASHINGTON (AP) – "])
def test_a_wire_dateline_is_not_read_aloud(opening: str) -> None:
    raw = RawArticle(title="WeWork", source="page.html", format="html",
                     paragraphs=[opening + "The New York attorney general is investigating WeWork.", "It declined to comment."])
    article = clean(raw)
    assert article.paragraphs[0].text == "The New York attorney general is investigating WeWork."
