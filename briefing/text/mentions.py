"""First mentions: a newsreader names a person in full before using the surname alone, and spells out
an organisation before its short form.

The summariser may keep "Apte said the rules were ignored" and drop the sentence that introduced
"Joshua Apte"; or keep "the WHO said" and drop "the World Health Organization (WHO)"; or "the bill would" and drop the
sentence naming "the Clean Rivers Act". This stage
rewrites the first mention in the chosen text to the full form the article gave ("Joshua Apte said",
"the World Health Organization said", "the Clean Rivers Act would"); later mentions stay short. Display text follows, since both
are made from the same words.

A person is a "First Surname" pair in the article whose surname the article also uses alone as a
person ("Mr Apte", "Apte said"), and whose first word the article never writes in lower case nor
uses without that surname (so "Like Instagram", "Spread Firefox" or "Kyiv Ukraine" are not names). A title that is not a courtesy title stays:
"Dr Apte" → "Dr Joshua Apte"; "Mr Blair" → "Tony Blair".

Who "she" is in a sentence chosen without the one naming her is ``pronouns``' job.

This stage does not choose sentences (``select``) or say them (``speech``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from briefing.model import Article, Paragraph
from briefing.text.speech.vocabulary import FUNCTION_WORDS

# Introductions are looked for in the article's opening (a story names its people early), and at
# most this many candidate surnames are checked, each against the whole of it: bounded on any input.
MAX_SCANNED_CHARS = 50_000
MAX_CANDIDATES = 200
COURTESY_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx)\.?"
OTHER_TITLES = r"(?:Dr|Prof|Professor|Doctor|Sir|Dame|Lord|Lady|Sen|Senator|Rep|Gov|Governor|Judge|Justice)\.?"
# "Joshua Apte", "James P. Kennedy (Jr.)"; not "Westhaven General Hospital"
# Names are written in more than English's letters: "Léa Fournier", "Jakub Wiśniewski".
UPPER = "A-ZÀ-ÖØ-Þ" + "".join(letter for letter in map(chr, range(0x100, 0x250)) if letter.isupper())
LOWER = "a-zß-öø-ÿ" + "".join(letter for letter in map(chr, range(0x100, 0x250)) if letter.islower())
FULL_NAME = re.compile(rf"\b([{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?) ((?:[A-Z]\. )?)"
                       rf"([{UPPER}][{LOWER}]{{2,}}(?:-[{UPPER}][{LOWER}]+)?)\b"
                       rf"(?!['’]?\s?(?!(?:Jr|Sr)\b)[{UPPER}])")
SPEECH_VERBS = r"(?:said|says|told|added|argued|wrote|explained|warned|insisted|admitted|denied|claimed|tweeted)"
SHORT_FORM = re.compile(r"\b((?:[A-Z][a-z]+|of|for|and|the|on)(?:\s(?:[A-Z][a-z]+|of|for|and|the|on)){1,7})\s\(([A-Z]{2,6})\)")
# A bill or law named in full ("the Clean Rivers and Lakes Act"), and how a story refers to it after.
NAMED_DOCUMENT = re.compile(r"\b((?:[A-Z][a-z]+ (?:(?:and|of|for|on|to) )?(?:\([A-Z][a-z]+\) )?){1,6}(?:Act|Bill))\b")
# A title-case line capitalises its small words ("What Happens To The Bill"); a bill's name does not.
NOT_IN_A_DOCUMENT_NAME = re.compile(r"\b(?:What|How|Why|Where|When|Who|Is|Does|Will|To|Of|And|For|On|In|A|An)\b|\bThe\b(?!$)")
DOCUMENT_SHORT_FORM = re.compile(r"\b[Tt]he ((?:bill|measure|act|legislation|law))\b")
QUOTATION = re.compile(r'["“][^"“”\n]{1,400}["”]')
SENTENCE_START = re.compile(r"(?:[.!?][\"”’')]?\s|\n|(?:^|\s)[\"“‘]\s?)$")  # of the few characters before a word
NOT_FIRST_NAMES = frozenset(
    "The A An In On At For From With By Of And But Or As If When While After Before Since Although Why How "
    "What Where Who President Prime Minister Chancellor Secretary Chief Judge Justice General Senator Governor "
    "Mayor Chairman Officer Director Manager Coach Captain King Queen Prince Princess Pope Saint New North South "
    "East West Great United Royal National Labour Conservative Liberal Democrat Democratic Republican Supreme "
    "High Home Foreign Federal State City County Premier League Cup World European British American English "
    "Scottish Welsh Irish January February March April May June July August September October November "
    "December Monday Tuesday Wednesday Thursday Friday Saturday Sunday This That These Those It He She They "
    "We Its His Her Their Our Mr Mrs Ms Dr Sir Lord Lady Dame Professor Doctor".split())

# The last word of a body's name ("Thames Valley Police said"): never a surname.
INSTITUTIONS = frozenset(
    "Police Council Court Hospital University College School Party Agency Service Trust Club Group Bank Airport "
    "Station Office Ministry Committee Commission Union Association Society Authority Institute Centre Center "
    "Museum Army Navy Force Street Road Prison Airways Airlines Motors Homes".split())  # not Park, Hall, Church: surnames too

# The last word of a role said before a name ("Managing director Clare Venn", "Supporters' trust chair
# Bev Nolan"): only such a phrase, opening its sentence, is taken for a role.
ROLE_NOUNS = frozenset(
    "chair chairman chairwoman chairperson director officer leader secretary minister manager executive "
    "spokesman spokeswoman spokesperson president chief head organiser organizer coach captain councillor "
    "mayor inspector superintendent commissioner governor senator chancellor editor founder owner "
    "campaigner teacher headteacher supervisor keeper brewer chef prosecutor barrister solicitor lawyer "
    "economist analyst scientist researcher professor lecturer author historian librarian nurse doctor "
    "surgeon consultant commuter passenger resident neighbour shopkeeper landlord tenant farmer driver "
    "pilot firefighter volunteer treasurer clerk adviser advisor strategist ambassador envoy".split())
# Words that begin a pair only inside a longer name: a Vietnamese middle name ("Tran Van Minh", "Nguyen Thi
# Lan") or a patronymic's "son of" ("Hamad Bin Jassim").
NAME_PARTICLES = frozenset({"Van", "Thi", "Bin", "Ibn"})
ROLE_LINKS = frozenset({"of", "and", "for"})  # inside a role ("Director of Public Health"), never at its ends
MAX_ROLE_WORDS = 6
LONG_ROLE_WORDS = 5  # a role before a name this long is said after it (``_said_after_when_long``)
# Where a role goes with the name: right before or after a speech verb ("Venn said", "said Venn"), or
# opening the sentence the person acts in ("Venn opened the site"): the introduction a newsreader
# makes; not inside a sentence that describes them ("Neighbours met Venn"), nor where the sentence says
# the role itself ("Greaves quits as council leader").
AT_SPEECH = re.compile(rf"^\s{SPEECH_VERBS}\b")


@dataclass(frozen=True)
class Role:
    """What a person is, as the article says it with their name: before it ("managing director"), or
    after it, between commas ("the chief fire officer")."""

    words: str  # as written inside a sentence
    before: bool
    cased: bool = True  # how its first word is written inside a sentence is known


@dataclass(frozen=True)
class FullForms:
    """What a text names in full, by the short form a story uses after: people by surname,
    organisations by their letters, and the one bill or act it names."""

    people: dict[str, str] = field(default_factory=dict)  # surname → full name
    short_forms: dict[str, str] = field(default_factory=dict)  # "WHO" → "World Health Organization"
    document: str | None = None
    roles: dict[str, Role] = field(default_factory=dict)  # surname → role

    def __bool__(self) -> bool:
        return bool(self.people or self.short_forms or self.document)


@functools.lru_cache(maxsize=64)  # a daily story's articles: asked for at each attempt at fitting the day
def full_forms(text: str) -> FullForms:
    """The full forms ``text`` (an article, or all of a story's articles) gives."""
    text = text[:MAX_SCANNED_CHARS]
    short_forms = {short: full for words, short in SHORT_FORM.findall(text) if (full := _spelled_out(words, short))}
    documents = {name for found in NAMED_DOCUMENT.findall(text)
                 if not NOT_IN_A_DOCUMENT_NAME.search(name := re.sub(r"^(?:The|A|An|This|That) ", "", found))}
    document = documents.pop() if len(documents) == 1 else None  # with two bills, "the bill" is ambiguous
    people = _people(text)
    return FullForms(people, short_forms, document, _roles(text, people))


def introduce(text: str, forms: FullForms, said: set[str]) -> str:
    """``text`` with the first mention of each short form not in ``said`` written in full; what it
    mentions is added to ``said``, so a later text leaves it short."""
    if not forms:
        return text
    rewritten = _introduce_people(text, forms.people, forms.roles, said)
    rewritten = _introduce_short_forms(rewritten, forms.short_forms, said)
    if forms.document is not None:
        rewritten = _introduce_document(rewritten, forms.document, said)
    return rewritten


def article_forms(article: Article) -> FullForms:
    return full_forms("\n".join(paragraph.text for paragraph in article.paragraphs))


def introduce_first_mentions(article: Article, chosen: list[Paragraph], said: set[str] | None = None) -> list[Paragraph]:
    """``chosen`` with each person's and short-named organisation's first mention in full; those in
    ``said`` (named before, as in the title the intro read) stay as they are."""
    forms = article_forms(article)
    if not forms:
        return chosen
    said = set(said or ())
    result = []
    for paragraph in chosen:
        if paragraph.is_heading:
            result.append(paragraph)
            continue
        rewritten = introduce(paragraph.text, forms, said)
        result.append(paragraph if rewritten == paragraph.text else replace(paragraph, text=rewritten))
    return result


def _spelled_out(words: str, short: str) -> str:
    """The words before "(WHO)" that it stands for: the shortest tail whose capitals spell it."""
    parts = words.split()
    for start in range(len(parts) - 1, -1, -1):
        initials = "".join(word[0] for word in parts[start:] if word[0].isupper())
        if initials == short and parts[start][0].isupper():
            return " ".join(parts[start:])
    return ""


def _people(text: str) -> dict[str, str]:
    """surname → the full name the article gives it; a surname it gives two first names ("Paul
    Hesketh", "Sarah Hesketh") is left out, since "Hesketh" alone could be either."""
    lower_words = {stem for word in re.findall(r"\b[a-z]+\b", text) for stem in (word, re.sub(r"(?:s|d|ed|ing)$", "", word))}
    # Inside a quotation a person may be called by the first name alone ("than Shahid"): only the
    # story's own words tell a place from a first name.
    unquoted = QUOTATION.sub(" ", text)
    found: dict[str, str] = {}
    given: dict[str, str] = {}  # the first name of each found, beside its surname
    firsts: dict[str, set[str]] = {}
    tried: set[str] = set()
    for match in FULL_NAME.finditer(text):
        first, middle, surname = match.groups()
        if len(tried) >= MAX_CANDIDATES:
            break
        tried.add(surname)
        if first in NOT_FIRST_NAMES or surname in NOT_FIRST_NAMES | INSTITUTIONS or first.lower() in lower_words:
            continue
        if not _opens_sentence(text, match.start()):
            firsts.setdefault(surname, set()).add(first)  # opening a sentence, "Because Dempsey" names no one
        if surname in found or first in found:
            continue
        full = f"{_given_before(text, match.start(), first, unquoted, lower_words)}{first} {middle}{surname}"
        if not middle and re.search(rf"\b(?:{COURTESY_TITLES}|{OTHER_TITLES})\s{first}\b", text) and \
                surname.lower() not in lower_words and not re.search(rf"\b{surname}\b(?<!{first} {surname})", unquoted):
            found[first], given[first] = full, surname  # the family name first, as Chinese writes it: "Mr Zhang"
            continue
        if re.search(rf"\b{first}\b(?! (?:[A-Z]\. )?\[?{surname}\b)", unquoted):
            continue  # the first word stands alone elsewhere: a place or a thing ("Kyiv"), not a first name
        if re.search(rf"\b(?:in|into|across|throughout|around)\s{surname}\b(?!['’])", text):
            continue  # a place: "Aero India" and "in India" ("India said" is a country speaking)
        if any(not re.search(rf"\b(?:{COURTESY_TITLES}|{OTHER_TITLES})\s$", text[max(0, alone.start() - 12):alone.start()])
               for alone in re.finditer(rf"\b{surname}\b(?!\s[{UPPER}])", text[:match.start()])):
            continue  # named alone, untitled, before the full name: a band or a firm named after someone ("Kasabian")
        if _as_person(surname, text):
            found[surname], given[surname] = full, first
    return {surname: full for surname, full in found.items() if len(firsts.get(surname, set()) | {given[surname]}) == 1}


def _as_person(name: str, text: str) -> bool:
    """The article uses ``name`` alone as a person's: after a title, beside a speech verb, or opening a
    sentence as the subject of a verb in the past or with an auxiliary ("Bakare has scored 11 goals")."""
    return bool(re.search(rf"\b(?:{COURTESY_TITLES}|{OTHER_TITLES})\s{name}\b|\b{name}\s{SPEECH_VERBS}\b|"
                          rf"{SPEECH_VERBS}\s{name}\b|(?:^|(?<=[.!?]\s)|(?<=\n)){name}\s(?:has|had|was|is|will|would|[a-z]{{2,}}ed)\b",
                          text, re.MULTILINE))


def _opens_sentence(text: str, at: int) -> bool:
    """The word at ``at`` opens a sentence: the text's start, or a sentence's end or an opening quotation
    mark just before it."""
    return not at or bool(SENTENCE_START.search(text[max(0, at - 4):at]))


def _given_before(text: str, start: int, first: str, unquoted: str, lower_words: set[str]) -> str:
    """A second given name before the pair ("Maria" of "Senator Maria José Delgado"), with its space: a
    capitalised word inside a sentence that the article uses nowhere else, nor as an ordinary word."""
    # Not at a sentence's start, where a capital says nothing ("Musician Alan Wass", "Actress Patsy Rowlands"),
    # unless the pair opens on a particle of a longer name: "Van Minh" is "Tran Van Minh".
    window = text[max(0, start - 40):start]
    before = re.search(rf"(?<=[\w,] )([{UPPER}][{LOWER}]+) $", window)
    if before is None and first in NAME_PARTICLES:
        opening = re.search(rf"([{UPPER}][{LOWER}]+) $", window)
        if opening and _opens_sentence(text, start - len(opening.group(0))):
            before = opening
    if before is None:
        return ""
    word = before.group(1)
    if word in NOT_FIRST_NAMES or word.lower() in lower_words or word.lower() in ROLE_NOUNS or \
            re.search(rf"\b{word}\b(?! {first}\b)", unquoted):
        return ""
    return f"{word} "


def _introduce_people(text: str, people: dict[str, str], roles: dict[str, Role], said: set[str]) -> str:
    # A courtesy title gives way to the first name ("Mr Blair" → "Tony Blair"), another title stays.
    # A surname before another capitalised word names something else ("Ferrant Textiles").
    def written(surname: str, found: re.Match[str], text: str) -> str:
        kept = found.groupdict().get("kept")
        if kept:
            return f"{kept} {people[surname]}"
        full, role = people[surname], roles.get(surname)
        before, after = text[:found.start()], text[found.end():]
        at_speech = bool(AT_SPEECH.match(after) or re.search(rf"\b{SPEECH_VERBS}\s$", before))
        opening = not before.strip() or _opens_sentence(before, len(before))
        acting = opening and bool(re.match(r"\s[a-z]|,", after))  # "Venn opened", "Venn, 52, opened"
        if role is None or not (at_speech or acting) or _says_role(text, role):
            return full
        role = _said_after_when_long(role)
        if not role.before:  # between commas, or ended by the sentence's own stop or comma
            if not at_speech and after.startswith(","):
                return full  # "Venn, 52, opened": a second aside would crowd the first
            return f"{full}, {role.words}" + ("" if re.match(r"[,.!?]", after) else ",")
        if opening:
            return f"{role.words[:1].upper() + role.words[1:]} {full}"
        return f"{role.words} {full}" if role.cased else full

    return _introduce(text, people, said,
                      lambda surname: rf"(?:\b{COURTESY_TITLES}\s|\b(?P<kept>{OTHER_TITLES})\s)?\b{surname}\b(?!\s[A-Z][a-z])",
                      lambda before, _after, full: bool(re.search(rf"\b{re.escape(full.split()[-2])}\s$", before)),
                      written)


def _says_role(sentence: str, role: Role) -> bool:
    """The sentence already says what the person is ("Greaves quits as council leader")."""
    role_words = set(re.findall(r"\w+", role.words.lower())) - ROLE_LINKS - {"the", "a", "an"}
    return role_words <= set(re.findall(r"\w+", sentence.lower()))


def _said_after_when_long(role: Role) -> Role:
    """A long role before a name, an organisation's name then what the person is there ("Kenbury
    Borough Council deputy chief executive"), goes after the name as the organisation's:
    "Paul Reid, Kenbury Borough Council's deputy chief executive,"; in front it would hold the name back."""
    words = role.words.split()
    if not role.before or len(words) < LONG_ROLE_WORDS:
        return role
    head = next((i for i, word in enumerate(words) if not word[:1].isupper()), len(words))
    if head == 0 or head == len(words) or not all(word.islower() for word in words[head:]):
        return role
    owner = " ".join(words[:head])
    owner += "'" if owner.endswith("s") else "'s"
    return Role(" ".join([owner, *words[head:]]), before=False)


def _roles(text: str, people: dict[str, str]) -> dict[str, Role]:
    """surname → the role the article gives with the full name, where it gives one the first time it
    names them so: "Managing director Clare Venn said" (a phrase opening the sentence and ending on a
    role), "Dana Okafor, the chief fire officer, said" or "The opposition leader, Hamish Corrie, said"."""
    lower_words = set(re.findall(r"\b[a-z]+\b", text))
    named = set(re.findall(r"(?<=[a-z,;:] )[A-Z][\w'’-]+", text))  # written with a capital inside a sentence
    roles = {}
    for surname, full in people.items():
        name = re.escape(full)
        found = re.search(rf"(?:^|(?<=[.!?\n\"“]\s)|(?<=[\n\"“]))((?:[\w'’-]+ ){{1,{MAX_ROLE_WORDS}}}){name}\b"
                          rf"|\b{name}, ((?:the|a|an) [^,;:.!?\"“”()]{{3,70}}),\s(?=[a-z])"
                          rf"|(?:^|(?<=[.!?\n]\s))(The [^,;:.!?\"“”()]{{3,60}}), {name},\s(?=[a-z])", text, re.MULTILINE)
        if found is None:
            continue
        if found.group(1):
            words = found.group(1).split()
            if words[-1].lower() in ROLE_NOUNS and not {words[0].lower(), words[-1].lower()} & ROLE_LINKS and \
                    not {word.lower() for word in words} & (FUNCTION_WORDS - ROLE_LINKS) and \
                    all(word[:1].isupper() or word.lower() in ROLE_NOUNS | ROLE_LINKS or word in lower_words for word in words):
                # Its first word as said inside a sentence: known when the article writes it in lower case
                # ("Council leader") or it opens a name ("Ashdown Homes managing director"); else not
                # known ("High school teacher"), and the role is said only where it opens a sentence.
                common = words[0].lower().rstrip("'’") in lower_words | ROLE_NOUNS
                cased = common or (words[0] in named and len(words) > 1 and words[1][:1].isupper())
                first = words[0].lower() if common else words[0]
                roles[surname] = Role(" ".join([first, *words[1:]]), before=True, cased=cased)
        else:
            role = found.group(2) or found.group(3)
            if len(role.split()) <= MAX_ROLE_WORDS + 2:
                roles[surname] = Role(role[0].lower() + role[1:], before=False)
    return roles


def _introduce_document(text: str, name: str, said: set[str]) -> str:
    """'The bill would ...' → 'The Clean Rivers Act would ...' when the chosen text has not named it."""
    if name in said:
        return text
    if name in text:
        said.add(name)
        return text
    mention = DOCUMENT_SHORT_FORM.search(text)
    if mention is None:
        return text
    said.add(name)
    return text[:mention.start(1)] + name + text[mention.end(1):]


def _introduce_short_forms(text: str, short_forms: dict[str, str], said: set[str]) -> str:
    # Introduced where it stands when the full form comes before it: "the World Health Organization (WHO)".
    return _introduce(text, short_forms, said, lambda short: rf"\b{short}\b",
                      lambda before, after, full: full in before or bool(re.match(r"\s?\)", after)))


def _introduce(text: str, full_forms: dict[str, str], said: set[str], mention: Callable[[str], str],
               introduced: Callable[[str, str, str], bool],
               written: Callable[[str, re.Match[str], str], str] | None = None) -> str:
    """The first mention (the pattern ``mention`` makes) of each short form not yet said, written in full
    unless ``introduced(before, after, full)`` says the text already gives it there. A title the
    pattern captures as ``kept`` stays before the full form; ``written(short, mention, text)``, when
    given, says what the mention becomes instead."""
    for short, full in full_forms.items():
        if short in said:
            continue
        found = re.search(mention(short), text)
        if found is None:
            continue
        said.add(short)
        if introduced(text[:found.start()], text[found.end():], full):
            continue
        kept = found.groupdict().get("kept")
        said_instead = written(short, found, text) if written else f"{kept} {full}" if kept else full
        text = text[:found.start()] + said_instead + text[found.end():]
    return text
