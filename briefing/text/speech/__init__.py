"""Speech-friendly text: ``text.normalize`` rewrites a sentence the way a newsreader says it, with
the rules in the other modules of this package and the pronunciation lexicon in ``lexicon``."""
