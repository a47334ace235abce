"""First mentions: a person or an organisation named in the chosen text by a short form is named in
full there when the article gave the full form in a sentence that was not chosen."""

from __future__ import annotations

from briefing.text.mentions import full_forms, introduce_first_mentions
from briefing.text.pronouns import name_pronoun
from briefing.model import Article, Paragraph
from briefing.text.script import build_script
from briefing.voices import Pauses


def _article(*texts: str) -> Article:
    return Article(title="A story", paragraphs=[Paragraph(text, i) for i, text in enumerate(texts)], source="t", format="text")


def _first_mentions(article: Article, *chosen: int) -> list[str]:
    return [p.text for p in introduce_first_mentions(article, [article.paragraphs[i] for i in chosen])]


def test_a_surname_alone_becomes_the_full_name_at_first_mention_only() -> None:
    article = _article("Marta Okafor, who leads the port authority, opened the new dock on Monday.",
                       "Okafor said the dock would double trade. Okafor thanked the crews.")
    assert _first_mentions(article, 1) == ["Marta Okafor said the dock would double trade. Okafor thanked the crews."]


def test_a_courtesy_title_gives_way_to_the_full_name_and_a_rank_stays() -> None:
    article = _article("Tomas Lind and Priya Raman wrote the report.", "Mr Lind met Dr Raman on Friday. Raman said it went well.")
    assert _first_mentions(article, 1) == ["Tomas Lind met Dr Priya Raman on Friday. Raman said it went well."]


def test_a_person_already_named_in_full_in_the_chosen_text_is_left_alone() -> None:
    article = _article("Marta Okafor opened the dock.", "Marta Okafor said trade would double. Okafor smiled.")
    assert _first_mentions(article, 1) == ["Marta Okafor said trade would double. Okafor smiled."]


def test_a_capitalised_common_word_is_not_a_first_name() -> None:
    article = _article("Like Instagram, the app hides likes from users.", "Instagram said it was only a test.")
    assert _first_mentions(article, 1) == ["Instagram said it was only a test."]


def test_an_organisation_is_spelled_out_before_its_short_form() -> None:
    article = _article("The World Health Organization (WHO) warned of the risk.", "The WHO said the risk was low. The WHO met.")
    assert _first_mentions(article, 1) == ["The World Health Organization said the risk was low. The WHO met."]


def test_the_script_says_and_shows_the_full_name() -> None:
    article = _article("Marta Okafor, who leads the port authority, opened a new dock on Monday.",
                       "Okafor said the dock would double trade within five years.")
    script = build_script(article, [article.paragraphs[1]], Pauses())
    [segment] = [segment for segment in script.segments() if segment.source == 1]
    assert segment.display.startswith("Marta Okafor said") and segment.text.startswith("Marta Okafor said")


def test_a_bill_is_named_at_first_mention() -> None:
    article = _article("The Senate passed the Clean Rivers and Lakes Act on Wednesday.",
                       "Farmers said the bill would raise costs. Supporters said the bill was overdue.")
    assert _first_mentions(article, 1) == [
        "Farmers said the Clean Rivers and Lakes Act would raise costs. Supporters said the bill was overdue."]


def test_the_bill_stays_when_the_story_names_two() -> None:
    article = _article("The Senate passed the Clean Rivers Act and the Farm Support Bill.", "Farmers said the bill would raise costs.")
    assert _first_mentions(article, 1) == ["Farmers said the bill would raise costs."]


def test_a_bill_named_at_the_start_of_a_sentence_is_one_bill() -> None:
    article = _article("The Clean Rivers Act passed on Wednesday.", "Supporters of the Clean Rivers Act cheered.",
                       "Farmers said the bill would raise costs.")
    assert _first_mentions(article, 2) == ["Farmers said the Clean Rivers Act would raise costs."]


def test_a_surname_the_article_gives_two_first_names_is_left_short() -> None:
    article = _article("Paul Hesketh, 54, died at the scene.", "His wife, Sarah Hesketh, said the family was broken.",
                       "Mrs Hesketh said drivers must put their phones away.")
    assert _first_mentions(article, 2) == ["Mrs Hesketh said drivers must put their phones away."]


def test_a_capitalised_word_opening_a_sentence_is_no_second_first_name() -> None:
    article = _article("One of the authors, Owen Dempsey, is a chest doctor.", "Because Dempsey suspected the duvet, he acted fast.",
                       "Dempsey talked with the man.", "Dempsey said it was rare.")
    assert _first_mentions(article, 2) == ["Owen Dempsey talked with the man."]


def test_a_name_with_a_suffix_is_a_full_name_and_a_surname_before_a_capital_names_something_else() -> None:
    article = _article("James P. Kennedy Jr., the US attorney, spoke.", "Ferrant Textiles closed. Paul Ferrant said sorry.",
                       "Kennedy said the case was clear.", "Ferrant Textiles said it would pay. Ferrant said more.")
    assert _first_mentions(article, 2, 3) == ["James P. Kennedy said the case was clear.",
                                              "Ferrant Textiles said it would pay. Paul Ferrant said more."]


def test_a_role_before_the_name_is_said_with_it_where_the_person_speaks() -> None:
    article = _article("Ashdown Homes managing director Clare Venn said work could start in spring.",
                       "Ms Venn said the homes would be built to high standards.", "The plans, Venn said, were final.",
                       "Neighbours met Ms Venn on Friday.", "The scheme by developer Ashdown Homes was approved.")
    assert _first_mentions(article, 1) == ["Ashdown Homes managing director Clare Venn said the homes would be built to high standards."]
    assert _first_mentions(article, 2) == ["The plans, Ashdown Homes managing director Clare Venn said, were final."]
    assert _first_mentions(article, 3) == ["Neighbours met Clare Venn on Friday."]


def test_a_role_between_commas_is_said_between_commas_and_a_role_of_unknown_case_only_opening_a_sentence() -> None:
    article = _article("Dana Okafor, the chief fire officer, said an inquiry would begin.",
                       "High school teacher Angela Cooper said she would strike.",
                       '"It was hard," said Okafor. Okafor thanked the crews.', '"We need teachers," Cooper said.',
                       "Cooper said the union agreed.")
    assert _first_mentions(article, 2) == ['"It was hard," said Dana Okafor, the chief fire officer. Okafor thanked the crews.']
    assert _first_mentions(article, 3) == ['"We need teachers," Angela Cooper said.']
    assert _first_mentions(article, 4) == ["High school teacher Angela Cooper said the union agreed."]


def test_a_pronoun_names_the_one_person_speaking_in_the_sentence_before_it() -> None:
    forms = full_forms("Commuter Shona Park said the trams stopped. Ms Park, who works in town, said she got a taxi.")
    previous = "Ms Park, who works in town, said she got a taxi."
    said: set[str] = set()
    assert name_pronoun('"The meter was on £40," she said.', previous, forms, said) == '"The meter was on £40," Shona Park said.'
    assert name_pronoun("She walked home.", previous, forms, said) == "Ms Park walked home."  # named already: short


def test_a_pronoun_is_not_named_when_the_sentence_before_names_two_people_or_a_title_says_otherwise() -> None:
    forms = full_forms("Gerald Amsel denies fraud. Rachel Tennant said so. Mr Amsel said nothing.")
    assert name_pronoun('"He took it," she said.', "Rachel Tennant told the jury about Gerald Amsel.", forms, set()) is None
    assert name_pronoun('"It was a lie," she said.', "Mr Amsel, who wore a grey suit, said nothing.", forms, set()) is None
    assert name_pronoun("She left.", "The jury heard the case on Monday.", forms, set()) is None


def test_a_title_case_subheading_is_not_taken_for_the_bills_name():
    from briefing.text.mentions import full_forms

    text = "MPs debated the Clean Air (Schools) Bill.\nWhat Happens To The Bill\nUnder the bill, drivers pay."
    assert full_forms(text).document == "Clean Air (Schools) Bill"
    assert full_forms("What Next For The Bill\nUnder the bill, drivers pay.").document is None


def test_a_role_is_said_where_the_person_opens_a_sentence_acting_not_inside_one_or_before_a_possessive() -> None:
    article = _article("Clare Venn, the managing director of Ashdown Homes, said work could start in spring.",
                       "Council leader Martin Greaves said he backed the plan.",
                       "Venn opened the show home on Monday. Greaves cut the ribbon.", "Neighbours met Venn on Friday.",
                       "Venn's plan was approved.", "Venn, 52, opened the site.", "Ms Venn said so.")
    assert _first_mentions(article, 2) == [
        "Clare Venn, the managing director of Ashdown Homes, opened the show home on Monday. "
        "Council leader Martin Greaves cut the ribbon."]
    assert _first_mentions(article, 3) == ["Neighbours met Clare Venn on Friday."]
    assert _first_mentions(article, 4) == ["Clare Venn's plan was approved."]
    assert _first_mentions(article, 5) == ["Clare Venn, 52, opened the site."]  # one aside at a time


def test_a_role_the_sentence_already_says_is_not_said_again() -> None:
    article = _article("Council leader Martin Greaves has resigned.", "Mr Greaves said he was tired.",
                       "Greaves quits as council leader after eleven years.")
    assert _first_mentions(article, 2) == ["Martin Greaves quits as council leader after eleven years."]


def test_a_long_role_goes_after_the_name_as_the_organisation_s() -> None:
    article = _article("Kenbury Borough Council deputy chief executive Paul Reid said the depot would close.",
                       "Reid said the staff would move.", "Reid opened talks with the unions.")
    assert _first_mentions(article, 1) == ["Paul Reid, Kenbury Borough Council's deputy chief executive, said the staff would move."]
    assert _first_mentions(article, 2) == ["Paul Reid, Kenbury Borough Council's deputy chief executive, opened talks with the unions."]


def test_the_title_read_in_the_intro_is_the_first_mention_and_the_news_after_it_says_the_surname() -> None:
    paragraphs = [Paragraph("The first families moved into Greyfield on Monday.", 0),
                  Paragraph("Ashdown Homes managing director Clare Venn said the homes were ready.", 1),
                  Paragraph("Venn thanked the builders.", 2)]
    named = Article(title="Venn opens new estate", paragraphs=paragraphs, source="t", format="text")
    script = build_script(named, [paragraphs[0], paragraphs[2]], Pauses())
    [intro] = script.sections[0].segments
    assert intro.display.endswith("Ashdown Homes managing director Clare Venn opens new estate.")
    assert [s.display for s in script.segments() if s.source == 2] == ["Venn thanked the builders."]
    unnamed = Article(title="Families move in", paragraphs=paragraphs, source="t", format="text")
    script = build_script(unnamed, [paragraphs[0], paragraphs[2]], Pauses())
    assert [s.display for s in script.segments() if s.source == 2] == [
        "Ashdown Homes managing director Clare Venn thanked the builders."]


def test_a_first_name_said_alone_inside_a_quotation_is_still_a_first_name() -> None:
    article = _article("Shahid Malik, who sits on the committee, spoke on Monday.",
                       '"I am a little older than Shahid," said a colleague.', "Mr Malik said lists were wrong.",
                       "Malik rejected the plan.")
    assert _first_mentions(article, 3) == ["Shahid Malik rejected the plan."]
    place = _article("Crowds gathered in Kyiv on Sunday.", "Kyiv Ukraine said so.", "Ukraine said it would reply.")
    assert _first_mentions(place, 2) == ["Ukraine said it would reply."]  # a place outside quotes stays a place


def test_a_body_s_name_is_not_a_person() -> None:
    article = _article("Thames Valley Police said the singer had been brave.", "Police said he tackled the burglar.")
    assert _first_mentions(article, 1) == ["Police said he tackled the burglar."]


def test_a_title_s_the_law_is_left_for_the_news_to_name() -> None:
    paragraphs = [Paragraph("Farmers in Punjab must wait to sow rice.", 0),
                  Paragraph("The Punjab Subsoil Water Act was passed in 2009.", 1), Paragraph("The law saved water.", 2)]
    article = Article(title="The law that fuels the smog", paragraphs=paragraphs, source="t", format="text")
    script = build_script(article, [paragraphs[0], paragraphs[2]], Pauses())
    assert script.sections[0].segments[0].display.endswith("The law that fuels the smog.")
    assert [s.display for s in script.segments() if s.source == 2] == ["The Punjab Subsoil Water Act saved water."]


def test_names_written_with_accents_are_introduced_in_full() -> None:
    article = _article("Léa Fournier broke the French record.", "Jakub Wiśniewski scored late.",
                       "Fournier said she was stunned.", "Wiśniewski said the goal was for his father.")
    assert _first_mentions(article, 2, 3) == ["Léa Fournier said she was stunned.",
                                              "Jakub Wiśniewski said the goal was for his father."]


def test_a_second_given_name_inside_a_sentence_is_part_of_the_full_name() -> None:
    article = _article("The act was written by Senator Maria José Delgado of New Mexico.",
                       "Delgado said she wanted a vote by January.")
    assert _first_mentions(article, 1) == ["Maria José Delgado said she wanted a vote by January."]


def test_a_capital_at_a_sentence_start_is_not_taken_for_a_given_name() -> None:
    article = _article("Musician Alan Wass, 23, appeared in court.", "Wass said he was innocent.")
    assert _first_mentions(article, 1) == ["Alan Wass said he was innocent."]


def test_a_name_written_family_name_first_is_introduced_by_the_family_name() -> None:
    article = _article("Chief executive Zhang Weiqiang unveiled the car.", "Mr Zhang said it charged in ten minutes.")
    assert _first_mentions(article, 1) == ["Chief executive Zhang Weiqiang said it charged in ten minutes."]


def test_a_person_who_only_acts_is_still_a_person() -> None:
    article = _article("Oluwaseun Bakare scored twice.", "Bakare has now scored 11 goals this season.")
    assert _first_mentions(article, 1) == ["Oluwaseun Bakare has now scored 11 goals this season."]


def test_a_band_named_alone_before_the_person_it_is_named_after_is_not_that_person() -> None:
    article = _article("Indie band Kasabian built up a cult following.", "Its name comes from Linda Kasabian.",
                       "Kasabian moved into a farmhouse to record.")
    assert _first_mentions(article, 2) == ["Kasabian moved into a farmhouse to record."]


def test_a_name_opening_a_sentence_on_a_particle_keeps_the_word_before_it() -> None:
    """"Van Minh" is the end of "Tran Van Minh", even where the full name opens its sentence; an
    occupation before an ordinary given name still is not part of the name."""
    article = _article("Tran Van Minh, who runs a car dealership in Hanoi, ordered 300 cars.",
                       "Nguyen Thi Lan, a nurse in Da Nang, said prices had doubled.",
                       '"It charges fast," Mr Minh said.', "Ms Lan said she would wait.")
    assert _first_mentions(article, 2, 3) == ['"It charges fast," Tran Van Minh said.',
                                              "Nguyen Thi Lan, a nurse in Da Nang, said she would wait."]
