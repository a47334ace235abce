"""Words that make a sentence lean on the one before it: the data behind select.py's coherence rule.

Data only. A chosen sentence that opens with one of these is kept with the sentence it points back
to ("However, officials said…", "More are expected…", "The latter…"), so a summary never starts a
thought in the middle.

The connectives are the 100 explicit discourse connective types annotated in the Penn Discourse
Treebank 2.0 (Prasad, Dinesh, Lee, Miltsakaki, Robaldo, Joshi and Webber, "The Penn Discourse
TreeBank 2.0", LREC 2008; The PDTB Research Group, "The PDTB 2.0 Annotation Manual", IRCS-08-01),
grouped into discourse adverbials, coordinating and subordinating conjunctions as in Lin, Ng and
Kan, "A PDTB-styled end-to-end discourse parser", Natural Language Engineering 20(2), 2014 (the
grouping the CoNLL 2015 shared task used). Paired ones are written "either..or".

A subordinating conjunction opening a sentence takes both of its arguments from that sentence
("Although prices rose, sales held up."), so the adverbials and coordinating conjunctions are the
ones that point back, with two corrections for a sentence's first word: "however" and "so" (grouped
with the subordinators) point back there, while "whereas" and "except" (grouped with the
adverbials) and the paired ones do not. Temporal adverbials ("Meanwhile, …", "Earlier, …") are left
out too: news uses them to open a new event anchored in time, which a listener follows alone.
"""

from __future__ import annotations

DISCOURSE_ADVERBIALS: frozenset[str] = frozenset({
    "accordingly", "additionally", "afterwards", "also", "alternatively", "as a result",
    "as an alternative", "as well", "besides", "by comparison", "by contrast", "by then",
    "consequently", "conversely", "earlier", "either..or", "except", "finally", "for example",
    "for instance", "further", "furthermore", "hence", "in addition", "in contrast", "in fact",
    "in other words", "in particular", "in short", "in sum", "in the end", "in turn", "indeed",
    "instead", "later", "likewise", "meantime", "meanwhile", "moreover", "nevertheless", "next",
    "nonetheless", "on the contrary", "on the other hand", "otherwise", "overall", "previously",
    "rather", "regardless", "separately", "similarly", "simultaneously", "specifically", "still",
    "thereafter", "thereby", "therefore", "thus", "ultimately", "whereas",
})
COORDINATING_CONJUNCTIONS: frozenset[str] = frozenset({
    "and", "but", "else", "if..then", "neither..nor", "nor", "on the one hand..on the other hand", "or",
    "plus", "then", "yet",
})
SUBORDINATING_CONJUNCTIONS: frozenset[str] = frozenset({
    "after", "although", "as", "as if", "as long as", "as soon as", "as though", "because", "before",
    "before and after", "for", "however", "if", "if and when", "insofar as", "lest", "much as",
    "now that", "once", "since", "so", "so that", "though", "till", "unless", "until", "when",
    "when and if", "while",
})

TEMPORAL_ADVERBIALS: frozenset[str] = frozenset({
    "afterwards", "by then", "earlier", "finally", "later", "meantime", "meanwhile", "next", "previously",
    "simultaneously", "thereafter", "ultimately",
})

# Connectives that, opening a sentence, take their first argument from an earlier sentence.
BACKWARD_CONNECTIVES: frozenset[str] = frozenset(
    connective
    for connective in (DISCOURSE_ADVERBIALS | COORDINATING_CONJUNCTIONS | {"however", "so"})
    - {"whereas", "except"} - TEMPORAL_ADVERBIALS
    if ".." not in connective
)
# Connectives that also open sentences as ordinary words or as a preposition heading its own
# phrase ("For the first time", "Earlier this month", "Still no word", "In addition to the fine",
# "As a result of the storm", "Rather than wait"): they point back only when a comma follows them.
CONNECTIVES_NEEDING_COMMA: frozenset[str] = frozenset({
    "for", "earlier", "later", "next", "still", "overall", "further", "separately", "rather", "as well",
    "besides", "regardless", "in addition", "in contrast", "by comparison", "as a result", "as an alternative",
})

# Comparatives and other words whose referent is in an earlier sentence: "The latter said…",
# "Such claims…", "Others disagreed", "Similar rises…", "Both sides…".
REFERENT_COMPARATIVES: frozenset[str] = frozenset({
    "others", "the other", "the others", "the latter", "the former", "such", "the same", "similar",
    "both", "the two",
})
# Comparatives that need a referent only when they stand for a noun ("More are expected", "Fewer
# of them voted"); before a noun ("More money is to be given") or "than" ("More than 100 died")
# they compare with the past or a number, not with an earlier sentence.
PRONOUN_COMPARATIVES: frozenset[str] = frozenset({"more", "fewer", "less"})
PRONOUN_FOLLOWERS: frozenset[str] = frozenset(
    "of are is was were will would could may might must should have has had need needs say said".split()
)

# Pronouns, demonstratives and phrases that stand for something said before.
BACKWARD_REFERENCES: frozenset[str] = frozenset({
    "it", "its", "it's", "this", "these", "that", "those", "they", "their", "them", "he", "his", "him",
    "she", "her", "there", "here", "even so", "despite this", "despite that", "in response", "in return",
    "the move", "the decision", "the comments", "the remarks", "the statement", "the announcement",
    "the report", "the figures", "the news",
})
