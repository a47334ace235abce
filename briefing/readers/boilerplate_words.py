"""Word lists that mark page furniture and boilerplate, kept apart from the code that uses them.

The HTML reader (``readers/html.py``) uses the class/id words to judge page structure; cleaning
(``clean.py``) uses the phrase and shape words to judge paragraphs. Adding a word here changes no
algorithm, and no algorithm hides a word list.
"""

from __future__ import annotations

# --- page structure: words in a class or id attribute ---------------------------------------------

# Furniture: matched against the words of the attribute, split at punctuation and camelCase, so
# "ad" matches "ad-slot" but not "header".
FURNITURE_CLASS_WORDS = frozenset({
    "ad", "ads", "adv", "advert", "advertisement", "advertising", "adslot", "dfp", "gpt",
    "sponsor", "sponsored", "promo", "promotion", "promoted", "banner",
    "share", "sharing", "sharebar", "social", "follow", "print",
    "related", "recommended", "recommendations", "recirc", "trending", "popular", "most", "more",
    "newsletter", "subscribe", "subscription", "signup", "paywall", "registration",
    "footer", "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "sidebar",
    "rail", "toolbar", "masthead", "header",
    "standfirst", "dek", "kicker", "eyebrow", "rollover", "popover", "hovercard",
    "caption", "credit", "credits", "copyright", "byline", "author", "authors", "dateline",
    "timestamp", "date", "published", "updated", "meta", "tags", "tag", "topics", "keywords",
    "modal", "popup", "overlay", "cookie", "consent", "skip",
    "outbrain", "taboola", "teaser", "teasers", "carousel", "slideshow", "gallery", "video",
    "player", "playlist", "tooltip", "pagination", "pager", "prev", "next", "form",
})  # fmt: skip
# A standfirst (dek): the summary a page shows above the article, which the article does not say.
# Editors' own names for it, so trusted even on a paragraph, where other class words are not.
STANDFIRST_CLASS_WORDS = frozenset({"standfirst", "dek"})
# Furniture that can hold as much prose as the article itself, so prose does not spare it.
PROSE_FURNITURE_CLASS_WORDS = frozenset({"comment", "comments", "disqus", "discussion", "replies", "respond"})
# Squashed class/id fragments that mark the article body itself and protect it from the words above.
BODY_CLASS_FRAGMENTS = frozenset({
    "articlebody", "storybody", "entrycontent", "postcontent", "articlecontent", "articletext",
    "storytext", "bodytext", "maincontent", "postbody", "entrybody", "richtext", "storycontent",
    "contentbody", "articlebodytext",
})  # fmt: skip

# --- page structure: headings over lists of links to other stories ----------------------------------

PROMO_HEADING_PATTERN = (
    r"you (may|might) (also )?like|more|topics|tags|related( \w+)?|more (from|on) .{0,30}"
    r"|more( great| top| related)?( [\w.]+)? (stories|news|articles|coverage|videos|reads)"
    r"|most (read|popular|viewed)|recommended( for you)?|trending( now)?|top stories|also read"
    r"|see also|read next|what to read next|latest( news)?|breaking( news)?|editor'?s picks"
)
# How a teaser (a blurb linking to another story) ends: an ellipsis, or a link-on phrase.
TEASER_ENDING_PATTERN = r"(\.\.\.|…)|(read|continue|see|full story|more)( reading| more| story| here)?\W{0,3}"

# --- paragraph shapes: words cleaning uses to recognise boilerplate by shape ------------------------

# Verbs a call to action opens with ("Sign up ...", "Tap here ...").
CALL_TO_ACTION_VERBS = frozenset({
    "follow", "subscribe", "sign", "download", "share", "watch", "listen", "read", "click", "tap",
    "join", "get", "visit", "register", "support", "donate", "like", "find", "see", "email",
    "e-mail", "contact", "tell", "send", "try", "install", "explore", "discover", "browse",
    "catch", "stream", "check", "signup", "log", "upgrade", "unlock", "become", "give",
    "chat", "message", "text", "scan", "bookmark", "save", "enable", "turn", "don't",
})  # fmt: skip
# Words that make a call to action one addressed to the reader about the site, not reported speech.
READER_TARGET_WORDS = frozenset({
    "us", "our", "here", "now", "today", "app", "newsletter", "newsletters", "podcast", "free",
    "more", "inbox", "updates", "alerts", "account", "subscription", "channel", "feed",
    "page", "site", "website", "latest", "coverage", "daily", "weekly",
    "whatsapp", "telegram", "signal", "facebook", "twitter", "instagram", "tiktok", "youtube", "threads",
    "bluesky", "linkedin", "story", "article", "notifications", "friends",
})  # fmt: skip
# Words of a label that introduces a link to another story: "Read more: ...", "RELATED: ...".
LINK_LABEL_WORDS = frozenset({
    "read", "more", "also", "see", "watch", "listen", "related", "recommended", "further", "reading",
    "next", "on", "this", "story", "stories", "latest", "top", "trending", "explainer", "analysis",
    "opinion", "video", "live", "updates", "featured", "don't", "miss", "editor's", "pick", "you",
    "may", "might", "like", "from", "the", "our", "coverage", "in", "depth", "full",
})  # fmt: skip
# Questions addressed to the reader ("Were you there? ...") open with these pairs of words.
READER_QUESTION_OPENINGS = frozenset({
    "do you", "did you", "have you", "are you", "were you", "can you", "could you", "would you",
    "is there", "has your", "have your", "does your", "know something", "got a",
})  # fmt: skip
# Media players and their labels: "Listen to this article, 3 min", "Play audio 2:41".
PLAYER_WORDS = frozenset({
    "listen", "play", "watch", "hear", "audio", "video", "podcast", "pause", "playing", "narrated",
    "read", "reading", "duration", "episode", "clip",
})  # fmt: skip
DURATION_PATTERN = r"\b\d{1,3}\s*(min|mins|minutes?|m|sec|secs|seconds?|s)\b|\b\d{1,2}:\d{2}\b"
# Credit lines: "Photography: Ana Ruiz", "Graphics by Lee Chan / Agency".
CREDIT_WORDS = frozenset({
    "photo", "photos", "photograph", "photographs", "photography", "picture", "pictures", "image",
    "images", "illustration", "illustrations", "graphic", "graphics", "video", "videos", "design",
    "designed", "produced", "production", "producer", "edited", "editing", "editor", "reporting",
    "reported", "written", "writing", "words", "additional", "camera", "animation", "animations",
    "map", "maps", "data", "research", "researched", "artwork", "art", "sound", "music", "audio",
    "credit", "credits", "source", "sources", "compiled", "translation", "translated", "filmed",
})  # fmt: skip
# Navigation and page labels, which are never a sentence ("Back to top", "Skip to content").
NAVIGATION_WORDS = frozenset({
    "home", "menu", "search", "skip", "content", "main", "top", "back", "next", "previous", "prev",
    "more", "sections", "section", "latest", "close", "open", "toggle", "expand", "collapse",
    "page", "pages", "story", "stories", "article", "articles", "comments", "comment", "share",
    "print", "save", "bookmark", "to", "the", "of", "and", "this", "all", "view", "show", "hide",
    "login", "log", "in", "out", "sign", "register", "account", "settings", "subscribe", "up",
    "live", "video", "audio", "newsletter", "newsletters", "podcasts", "topics", "related",
})  # fmt: skip
