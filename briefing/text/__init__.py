"""Text: from a reader's paragraphs to what is said — cleaning, sentences, the summariser, first
mentions, the script, and ``speech/`` (how numbers, dates and names are said).

This wing does not read inputs (``readers``) or make sound (``audio``).
"""
