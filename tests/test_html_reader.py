"""briefing.readers.html: the headline and body of news pages, without the page furniture."""

from __future__ import annotations

import pytest

from briefing.text.clean import clean
from briefing.errors import InputError
from briefing.readers import looks_like_html
from briefing.readers.html import read_html


def cleaned_paragraphs(page: str, source: str) -> list[str]:
    """What a user gets of a page: the reader judges structure, cleaning judges text."""
    return [p.text for p in clean(read_html(page, source)).paragraphs]

BBC_LIKE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Julian Assange: Sweden drops rape investigation - BBC News</title>
  <meta property="og:title" content="Julian Assange: Sweden drops rape investigation">
  <meta property="og:site_name" content="BBC News">
  <script>window.bbcdotcom = {config: {}};</script>
  <style>.story-body { font-size: 1rem }</style>
</head>
<body>
  <header class="orb-banner"><a href="/">BBC</a> <a href="/news">News</a> <a href="/sport">Sport</a></header>
  <nav class="navigation-wide-list">
    <ul><li><a href="/news">Home</a></li><li><a href="/news/uk">UK</a></li>
        <li><a href="/news/world">World</a></li><li><a href="/news/business">Business</a></li></ul>
  </nav>
  <div class="container">
    <div class="story-body">
      <h1 class="story-body__h1">Julian Assange: Sweden drops rape investigation</h1>
      <div class="byline"><span class="byline__name">By Jane Smith</span></div>
      <div class="date date--v2" data-seconds="1574076418">19 November 2019</div>
      <div class="share-tools"><a href="#">Share this with Facebook</a> <a href="#">Share this with Twitter</a></div>
      <div class="story-body__inner" property="articleBody">
        <figure class="media-landscape">
          <span class="image-and-copyright-container">
            <img src="assange.jpg" alt="Julian Assange">
            <span class="off-screen">Image copyright</span>
            <span class="story-image-copyright">Getty Images</span>
          </span>
          <figcaption class="media-caption">
            <span class="off-screen">Image caption</span>
            <span class="media-caption__text">Assange was evicted from the embassy in April</span>
          </figcaption>
        </figure>
        <p class="story-body__introduction">Prosecutors in Sweden have dropped an investigation into a rape
          allegation made against Wikileaks co-founder Julian Assange in 2010.</p>
        <p>Assange, who denies the accusation, has avoided extradition to Sweden for seven years after
          seeking refuge at the Ecuadorean embassy in London in 2012.</p>
        <div class="media-player-wrapper">
          <p class="media-message">Media playback is unsupported on your device</p>
        </div>
        <p>The 48-year-old Australian was evicted in April and sentenced to 50 weeks in jail for
          breaching his bail conditions.</p>
        <p>Image source, Getty Images</p>
        <h2 class="story-body__crosshead">What did the prosecutors say?</h2>
        <p>Deputy Director of Public Prosecution Eva-Marie Persson took the decision to "discontinue the
          investigation regarding Julian Assange", the Swedish Prosecution Authority said.</p>
        <ul class="story-body__unordered-list">
          <li class="story-body__list-item">The evidence has weakened considerably over the years.</li>
          <li class="story-body__list-item">Witnesses' memories have faded, the authority said.</li>
        </ul>
        <p>Last month, a judge rejected Assange's attempt to delay the full extradition hearing, which
          is scheduled to take place in London in February.</p>
      </div>
    </div>
    <div class="story-more">
      <h2>Related Topics</h2>
      <ul class="related-links"><li><a href="/news/topics/julian-assange">Julian Assange</a></li>
          <li><a href="/news/topics/sweden">Sweden</a></li></ul>
      <div class="features-and-analysis">
        <h2>More on this story</h2>
        <p><a href="/news/world-europe-11949341">Julian Assange: Timeline of legal saga that began a
          decade ago and continues</a></p>
      </div>
    </div>
  </div>
  <footer class="orb-footer">
    <p>Copyright © 2019 BBC. The BBC is not responsible for the content of external sites.
      Read about our approach to external linking.</p>
  </footer>
</body>
</html>
"""

GUARDIAN_LIKE = """<!DOCTYPE html>
<html>
<head>
  <title>The Guardian view on Hong Kong: a city on the brink | Editorial | Opinion | The Guardian</title>
  <meta property="og:site_name" content="the Guardian">
  <script type="application/ld+json">{"@type": "NewsArticle", "headline": "Hong Kong"}</script>
</head>
<body>
  <div class="new-header"><a href="/uk">News</a> <a href="/uk/commentisfree">Opinion</a></div>
  <article class="content content--article tonal--tone-editorial">
    <header class="content__head">
      <h1 class="content__headline">The Guardian view on Hong Kong: a city on the brink</h1>
      <div class="content__standfirst"><p>The authorities' repression has only fuelled the crisis.
        It is up to them to de-escalate, as others should tell them</p></div>
      <div class="meta__social"><a href="#">Facebook</a> <a href="#">Twitter</a></div>
      <p class="content__dateline"><time datetime="2019-11-18T18:35:00+0000">Mon 18 Nov 2019 18.35 GMT</time></p>
    </header>
    <div class="content__article-body from-content-api js-article__body" itemprop="articleBody">
      <p>Hong Kong is burning. The authorities continue to pour fuel on the fire. On Monday, the
        People's Daily warned that there is "absolutely no room for compromise".</p>
      <aside class="element element-rich-link"><p>Read more</p>
        <a href="/world/hong-kong-protests">Hong Kong protests: police storm university campus</a></aside>
      <p>As the newspaper commentary was published, Hong Kong Polytechnic University was besieged by
        police, who fired round after round of teargas at protesters attempting to flee.</p>
      <div class="ad-slot ad-slot--inline" data-name="inline1"><p>Advertisement</p></div>
      <p>Excessive force and police brutality have become the norm; the government's refusal to
        hold an independent inquiry has fuelled anger.</p>
      <div class="submeta"><span class="submeta__label">Topics</span>
        <ul><li><a href="/world/hong-kong">Hong Kong</a></li><li><a href="/world/china">China</a></li></ul></div>
    </div>
  </article>
  <div id="comments" class="discussion"><h2>Comments (1,021)</h2>
    <p>This is a long reader comment with plenty of words in it, about the Hong Kong government and
      the future of the city, which should never be read out as part of the editorial.</p></div>
  <div class="newsletter-signup"><p>Sign up to the daily Business Today email</p></div>
  <footer class="l-footer"><p>© 2019 Guardian News &amp; Media Limited or its affiliated companies.</p></footer>
</body>
</html>
"""


def test_bbc_like_page_keeps_body_and_subheading_in_order():
    article = read_html(BBC_LIKE, "https://www.bbc.com/news/world-europe-50473792")

    assert article.title == "Julian Assange: Sweden drops rape investigation"
    assert article.format == "html"
    assert cleaned_paragraphs(BBC_LIKE, "https://www.bbc.com/news/world-europe-50473792") == [
        "Prosecutors in Sweden have dropped an investigation into a rape allegation made against"
        " Wikileaks co-founder Julian Assange in 2010.",
        "Assange, who denies the accusation, has avoided extradition to Sweden for seven years after"
        " seeking refuge at the Ecuadorean embassy in London in 2012.",
        "The 48-year-old Australian was evicted in April and sentenced to 50 weeks in jail for"
        " breaching his bail conditions.",
        "What did the prosecutors say?",
        'Deputy Director of Public Prosecution Eva-Marie Persson took the decision to "discontinue the'
        ' investigation regarding Julian Assange", the Swedish Prosecution Authority said.',
        "The evidence has weakened considerably over the years.",
        "Witnesses' memories have faded, the authority said.",
        "Last month, a judge rejected Assange's attempt to delay the full extradition hearing, which"
        " is scheduled to take place in London in February.",
    ]


def test_bbc_like_page_drops_furniture():
    text = "\n".join(cleaned_paragraphs(BBC_LIKE, "bbc.html"))

    for furniture in ("Media playback", "Image source", "Getty Images", "Image caption",
                      "evicted from the embassy in April", "Share this", "By Jane Smith",
                      "19 November 2019", "Related Topics", "Timeline", "Copyright", "Home"):  # fmt: skip
        assert furniture not in text


def test_guardian_like_page_keeps_only_the_editorial():
    article = read_html(GUARDIAN_LIKE, "https://www.theguardian.com/commentisfree/2019/nov/18/x")

    assert [p.split()[0] for p in article.paragraphs] == ["Hong", "As", "Excessive"]
    assert article.title == "The Guardian view on Hong Kong: a city on the brink"  # from the <h1>


def test_title_falls_back_to_the_title_element_without_the_site_name():
    page = """<html><head><title>Asian shares soft as trade doubts creep back in | Reuters</title></head>
    <body><div class="StandardArticleBody_body"><p>Asian shares slipped on Wednesday as doubts over a
    Sino-U.S. trade deal resurfaced, while bonds rallied on safe-haven demand.</p></div></body></html>"""

    article = read_html(page, "https://www.reuters.com/article/us-global-markets/idUSKBN1XT00W")

    assert article.title == "Asian shares soft as trade doubts creep back in"
    assert article.paragraphs[0].startswith("Asian shares slipped on Wednesday")


def test_page_with_only_a_title_is_not_an_article():
    with pytest.raises(InputError, match=r"^empty-story\.html: "):
        read_html("<html><head><title>Breaking news</title></head><body></body></html>", "empty-story.html")


def test_og_title_loses_its_site_suffix():
    page = """<html><head>
    <meta property="og:title" content="Doobie Brothers to reunite with Michael McDonald - Cleveland.com">
    <meta property="og:site_name" content="cleveland.com">
    <title>Doobie Brothers reunite | Entertainment | cleveland.com</title></head>
    <body><h1>Doobies reunite</h1><p>The Doobie Brothers will reunite with Michael McDonald for a show at
    Blossom Music Center next summer, the band announced on Tuesday.</p></body></html>"""

    article = read_html(page, "https://www.cleveland.com/entertainment/2019/11/doobie-brothers.html")

    assert article.title == "Doobie Brothers to reunite with Michael McDonald"


def test_title_keeps_a_dash_that_is_part_of_the_story():
    page = "<html><head><title>Brexit - what happens next</title></head><body><p>Text.</p></body></html>"

    assert read_html(page, "notes.html").title == "Brexit - what happens next"


def test_short_brief_without_long_paragraphs_is_still_read():
    page = """<html><body><nav><a href="/">Home</a></nav>
    <article><p>Markets closed higher on Friday.</p><p>Oil rose 2%.</p></article></body></html>"""

    assert read_html(page, "brief.html").paragraphs == ["Markets closed higher on Friday.", "Oil rose 2%."]


def test_paragraphs_split_at_double_line_breaks():
    page = """<html><body><div class="post-body entry-content">Photos released online show the actress
    looking stunning in new make-up photos, and they are making the rounds on social media.<br><br>She
    flaunted her hand bag, which had the colours of the Nigerian flag, at the event.<br>
    <br>See more photos:</div></body></html>"""

    paragraphs = read_html(page, "blog.html").paragraphs

    assert len(paragraphs) == 3
    assert paragraphs[-1] == "See more photos:"


def test_body_only_in_json_ld_is_used_when_the_page_renders_it_with_javascript():
    page = """<html><head><title>Story</title><script type="application/ld+json">
    {"@type": "NewsArticle", "articleBody": "First paragraph of the story, long enough to count.\\nSecond one."}
    </script></head><body><div id="app"></div><p>Loading…</p></body></html>"""

    assert read_html(page, "app.html").paragraphs == [
        "First paragraph of the story, long enough to count.",
        "Second one.",
    ]


@pytest.mark.parametrize(
    "page",
    ["", "   \n", "<html><head><script>var a = 1;</script></head><body><script>render()</script></body></html>"],
)
def test_empty_or_script_only_page_raises_input_error(page):
    with pytest.raises(InputError, match=r"^page\.html: .+"):
        read_html(page, "page.html")


def test_looks_like_html_sniffs_markup_not_prose():
    assert looks_like_html("<!DOCTYPE html><html><head></head><body></body></html>")
    assert looks_like_html("\n  <div class='story'><p>Hello</p></div>")
    assert not looks_like_html("Prosecutors in Sweden have dropped an investigation.\n\nAssange denies it.")
    assert not looks_like_html('["para one", "para two"]')


def test_promo_heading_and_its_link_list_inside_the_body_are_dropped():
    page = """<html><body><div class="article__body">
    <p>Instagram is testing a change that would give business accounts more analytics, the company
    said on Tuesday, in a move that could reshape how influencers work.</p>
    <ul><li>Creators can see reach by hour.</li><li>Brands can compare posts.</li></ul>
    <hr><div class="heading-h3">More Great WIRED Stories</div>
    <ul><li>The strange life and <a href="/story/a">mysterious death of a virtuoso coder</a></li>
        <li>How Facebook <a href="/story/b">gets the First Amendment backward</a></li></ul>
    </div></body></html>"""

    paragraphs = read_html(page, "wired.html").paragraphs

    assert paragraphs[1:] == ["Creators can see reach by hour.", "Brands can compare posts."]
