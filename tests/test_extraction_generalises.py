"""Extraction and cleaning on pages and articles unlike the ones the rules were written on: a teaser
rail, a page-wide wrapper, a body in an unusual container, boilerplate recognised by its shape in
paragraph lists (phrases that appear in no rule), and the drop-selector override."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from briefing.cli import main
from briefing.text.clean import clean
from briefing.errors import UsageError
from briefing.model import RawArticle
from briefing.readers.combine import OwnBlock, combine
from briefing.readers import ReadOptions, parse
from briefing.readers.html import read_html

BODY = [
    "The regional water board approved a plan on Monday to build a new reservoir north of Eastmoor, ending a dispute that has lasted for almost a decade.",
    "The reservoir will hold enough water for 200,000 homes and is expected to open in 2031, the board said in a statement after the vote.",
    "Farmers in the valley had opposed earlier versions of the plan, saying it would flood some of the best grazing land in the county.",
    "Under the approved plan, the dam will be built two miles further upstream, and the board will pay for new fields to be drained and fenced.",
    "Work on the access roads is due to begin next spring, once the final ground surveys have been completed by contractors.",
]
def paragraphs(items):
    return "".join(f"<p>{t}</p>" for t in items)
TEASERS = [
    ("Bus drivers vote to strike over pay", "Drivers at the county's largest operator have voted for a series of walkouts in the new year, the union said on Thursday after the…"),
    ("Library to reopen after roof repairs", "The central library, closed since the storms in March, will reopen its doors to readers next month, after builders finished work on the…"),
    ("School wins national chess title", "A team of eleven-year-olds from a village primary school has beaten forty other schools to take the national junior title, and their…"),
    ("New cycle lanes split opinion", "Plans for a network of protected cycle lanes through the town centre have drawn hundreds of responses from residents and shop owners, who…"),
    ("Harbour crane collapses in high wind", "Nobody was hurt when a crane at the harbour toppled into the water during gusts of up to seventy miles an hour late on Sunday night, but…"),
    ("Market hall sold to developer", "The Victorian market hall, empty for six years, has been bought by a developer who plans to turn it into flats with shops on the ground…"),
    ("Hospital car park fees to rise", "Visitors to the general hospital will pay more to park from April, the trust said, blaming higher maintenance costs and a fall in the…"),
]
def teaser_rail():
    items = "".join(f'<div class="item"><h3><a href="/n/{i}">{h}</a></h3><p>{t}</p></div>' for i,(h,t) in enumerate(TEASERS))
    return f'<div class="stream"><h2>Latest</h2>{items}</div>'
TEASER_PAGE = f"""<html><head><title>Reservoir plan approved - Eastmoor Echo</title></head><body>
<div class="wrap"><div class="col-a"><h1>Reservoir plan approved</h1><div class="txt">{paragraphs(BODY)}</div></div>
<div class="col-b">{teaser_rail()}</div></div></body></html>"""
SITE_WIDE = ("Eastmoor Echo is an independent newspaper owned by its readers, and has reported on the towns and villages of the moor since 1874, when it was founded by a group of local printers.",
             "We are funded by our members and do not carry paid advertising from political parties, and our editorial code is published in full on our standards page for anyone to read.")
WRAPPER_PAGE = f"""<html><head><title>Reservoir plan approved</title></head><body><div id="page">
<div class="c1"><h1>Reservoir plan approved</h1>{paragraphs(BODY)}</div>
<div class="c2"><p>{SITE_WIDE[0]}</p><p>{SITE_WIDE[1]}</p></div></div></body></html>"""
SHORT_BODY = [
    "The ferry to Holm Island will not run this week.",
    "A fault was found in the engine on Saturday.",
    "Islanders have been told to stock up on fuel.",
    "A spare vessel may be hired from the mainland.",
    "The operator apologised for the disruption.",
    "Repairs are expected to cost about £40,000.",
    "Engineers from the mainland arrive on Tuesday.",
    "Schools on the island will stay open.",
]
UNUSUAL_PAGE = f"""<html><head><title>Island ferry cancelled</title></head><body>
<div class="layout"><div class="gallery-sidebar-box"><h1>Island ferry cancelled</h1>
{paragraphs(SHORT_BODY)}</div>
<div class="top"><ul><li><a href="/a">Home</a></li><li><a href="/b">News</a></li><li><a href="/c">Sport</a></li></ul></div>
</div></body></html>"""
WRAPPER_PAGE2 = f"""<html><head><title>Reservoir plan approved</title></head><body><div id="page">
<div class="c0"><p>Eastmoor Echo</p><p>Thursday 4 June</p><p>Weather: 14C, showers</p></div>
<article><h1>Reservoir plan approved</h1>{paragraphs(BODY)}</article>
<div class="c2"><p>Eastmoor Echo, 12 Mill Lane, Eastmoor</p><p>Registered in England No. 0012345</p><p>Printed on recycled paper</p></div></div></body></html>"""


def test_teaser_rail_longer_than_the_article_is_not_taken_for_it():
    paragraphs = read_html(TEASER_PAGE, "https://echo.example/reservoir").paragraphs

    assert paragraphs == BODY
    assert not any("…" in text for text in paragraphs)


def test_page_wide_wrapper_keeps_the_body_and_not_the_masthead_or_imprint():
    paragraphs = read_html(WRAPPER_PAGE2, "https://echo.example/reservoir").paragraphs

    assert paragraphs == BODY


def test_fragments_around_the_agreed_body_are_dropped_but_prose_that_continues_it_is_kept():
    own = [OwnBlock("Eastmoor Echo | Thursday 4 June", 0.0, False)] + [OwnBlock(t, 0.0, False) for t in BODY]
    own += [OwnBlock("Registered in England No. 0012345", 0.0, False)]
    other = BODY[:3]  # the other reading stopped early, after the third paragraph

    assert combine(own, other, "") == BODY


def test_body_in_an_unusual_container_is_recovered():
    paragraphs = read_html(UNUSUAL_PAGE, "https://ferry.example/cancelled").paragraphs

    assert paragraphs == SHORT_BODY


def test_declared_json_ld_body_wins_when_both_readings_miss_it():
    declared = "\n".join(BODY)

    assert combine([OwnBlock("Subscribe", 1.0, False)], ["Cookie settings"], declared) == BODY


# --- boilerplate shapes in paragraph lists: none of these phrases appears in any rule ---------------

LEDE = "<b>The regional water board approved a plan on Monday to build a new reservoir north of Eastmoor.</b>"
STORY = BODY[1:4]


def cleaned(*paragraphs: str) -> list[tuple[str, str]]:
    article = clean(RawArticle(title=None, paragraphs=list(paragraphs), source="list.txt", format="list"))
    return [(p.section, p.text) for p in article.paragraphs]


@pytest.mark.parametrize("label", [
    "Listen to this article, 3 min",
    "Hear this story read aloud · 4:12",
    "Audio version, 6 minutes",
    "Play narration",
])
def test_player_label_before_the_bold_lede_is_neither_title_nor_lede(label: str) -> None:
    article = clean(RawArticle(title=None, paragraphs=[label, LEDE, *STORY], source="l.txt", format="list"))

    assert article.paragraphs[0].section == "lede"
    assert article.paragraphs[0].text.startswith("The regional water board")
    assert label not in [p.text for p in article.paragraphs]
    assert article.title.startswith("The regional water board")


def test_unknown_kicker_before_the_bold_lede_does_not_outrank_it() -> None:
    kept = cleaned("Water and drought", LEDE, *STORY)

    assert kept[0] == ("lede", LEDE[3:-4])
    assert ("story", "Water and drought") not in kept


@pytest.mark.parametrize("line", [
    "Do you have information about this story? Get in touch: news@example.com",
    "Were you caught in the flooding? Send us your pictures and videos.",
    "Know more about the plan? Our reporters read every message: tips@echo.example",
    "Write to the newsdesk at desk@eastmoor-echo.example",
    "Join our Friday briefing for the week's best reads",
    "Get breaking alerts on your phone with the Echo app",
    "Tap here to follow our reservoir coverage",
    "Photography: Ana Ruiz / Moorland Pictures",
    "Graphics and research by Lee Chan",
    "Home | News | Environment | Water",
    "Back to top",
])
def test_boilerplate_shapes_are_not_narrated(line: str) -> None:
    kept = [text for _, text in cleaned(LEDE, STORY[0], line, STORY[1])]

    assert line not in kept
    assert kept[1:] == [STORY[0], STORY[1]]


@pytest.mark.parametrize("line", [
    "Do you remember the drought of 1976? Many farmers in the valley still do, and they fear another.",
    "Support for the reservoir has grown since the summer, a poll for the board found.",
    "Photographs taken by residents show the river reaching the bridge.",
    "Join the queue, the chairman told objectors at the meeting, and wait your turn to speak.",
    "The water board's chief engineer, Ana Ruiz, said the design had been checked twice.",
])
def test_sentences_that_look_a_little_like_boilerplate_are_kept(line: str) -> None:
    kept = [text for _, text in cleaned(LEDE, STORY[0], line, STORY[1])]

    assert line in kept


# --- the drop-selector override ------------------------------------------------------------------

PROMO_IN_BODY = f"""<html><head><title>Reservoir plan approved</title></head><body><article>
<h1>Reservoir plan approved</h1><p>{BODY[0]}</p>
<div class="x-box"><p>Our anniversary edition is out now with forty pages of photographs from the archive and a
history of the paper written by its longest-serving editor, in shops this weekend.</p></div>
{paragraphs(BODY[1:])}</article></body></html>"""


def test_drop_selector_removes_what_it_names_before_extraction() -> None:
    assert any("anniversary" in text for text in read_html(PROMO_IN_BODY, "p.html").paragraphs)

    assert read_html(PROMO_IN_BODY, "p.html", drop=["div.x-box"]).paragraphs == BODY
    assert parse(PROMO_IN_BODY, "p.html", ReadOptions(drop=("article > div",))).paragraphs == BODY


def test_invalid_drop_selector_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not valid CSS"):
        read_html(PROMO_IN_BODY, "p.html", drop=["div["])


def test_cli_drop_option_and_library_config(tmp_path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PROMO_IN_BODY, encoding="utf-8")
    runner = CliRunner()

    plain = runner.invoke(main, ["extract", str(page)], env={"BRIEFING_HOME": str(tmp_path / "lib")})
    dropped = runner.invoke(main, ["extract", "--drop", ".x-box", "--drop", "nav", str(page)],
                            env={"BRIEFING_HOME": str(tmp_path / "lib")})
    assert plain.exit_code == 0 and "anniversary" in plain.output
    assert dropped.exit_code == 0 and "anniversary" not in dropped.output and BODY[-1] in dropped.output

    library = tmp_path / "lib"
    library.mkdir()
    (library / "briefing.toml").write_text('[extract]\ndrop = ["div.x-box"]\n', encoding="utf-8")
    configured = runner.invoke(main, ["extract", str(page)], env={"BRIEFING_HOME": str(library)})
    assert configured.exit_code == 0 and "anniversary" not in configured.output

    bad = runner.invoke(main, ["extract", "--drop", "p[", str(page)], env={"BRIEFING_HOME": str(tmp_path / "lib")})
    assert bad.exit_code == 2
    assert len(bad.output.strip().splitlines()) == 1 and "not valid CSS" in bad.output
