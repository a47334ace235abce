"""Numbers read by context: a number that names a model, a flight, a phone line or a version is
said the way people say that name; a count stays a count. Invented sentences, input → fragment."""

from __future__ import annotations

import pytest

from briefing.text.speech.identifiers import grouped
from briefing.text.speech.text import normalize


@pytest.mark.parametrize("digits, spoken", [
    ("787", "seven eighty-seven"), ("707", "seven oh seven"), ("777", "triple seven"),
    ("800", "eight hundred"), ("1549", "fifteen forty-nine"), ("1200", "twelve hundred"),
    ("1000", "one thousand"), ("2007", "twenty oh seven"),
])
def test_a_name_number_is_said_in_groups(digits: str, spoken: str) -> None:
    assert grouped(digits) == spoken


@pytest.mark.parametrize("text, fragment", [
    ("The Boeing 787-9 was delayed.", "Boeing seven eighty-seven nine was"),
    ("Ryanair ordered 70 Boeing 737-800 planes.", "seven thirty-seven eight hundred planes"),
    ("Boeing said the 787 had been grounded.", "the seven eighty-seven had"),
    ("The 737 Max crashed twice.", "The seven thirty-seven Max"),
    ("The airline will add ten 787 jets.", "ten seven eighty-seven jets"),
    ("An Airbus A320 landed safely.", "Airbus A three twenty landed"),
    ("The Porsche 911 is iconic.", "Porsche nine eleven"),
    ("The 777X is late.", "triple seven X"),
])
def test_a_model_number_after_a_maker_or_before_a_product_is_a_name(text: str, fragment: str) -> None:
    assert fragment in normalize(text)
    assert " to " not in normalize(text)


@pytest.mark.parametrize("text, count", [
    ("Police said 747 people were arrested.", "747 people"),
    ("Boeing delivered 348 aircraft last year.", "348 aircraft"),
    ("The firm cut 787 jobs in 2023.", "787 jobs"),
    ("He was one of 911 people.", "911 people"),
    ("The company sold 1,200 jets.", "1,200 jets"),
    ("Earnings should recover over FY2020-22.", "twenty twenty to twenty twenty-two"),
    ("Boeing said the 150 passengers were safe.", "150 passengers"),
    ("Airbus said the 320 booked seats were refunded.", "320 booked"),
])
def test_a_count_is_not_a_model_number(text: str, count: str) -> None:
    assert count in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("Flight QF32 returned to Singapore.", "Q.F thirty-two"),
    ("Flight 1549 landed on the river.", "Flight fifteen forty-nine landed"),
    ("Malaysia Airlines flight MH370 vanished in 2014.", "M.H three seventy vanished in twenty fourteen"),
])
def test_a_flight_number_is_said_as_a_name(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("Call 911 now.", "Call nine one one now"),
    ("Dial 999 in an emergency.", "Dial nine nine nine in"),
    ("The 911 call was released.", "The nine one one call"),
    ("She dialled 999 and waited.", "nine nine nine and"),
    ("Anyone with information should call 101.", "call one oh one"),
    ("Call 0800 123 4567 for help.", "oh eight oh oh, one two three, four five six seven for"),
    ("Call 1-800-273-8255 for help.", "one, eight oh oh, two seven three, eight two five five"),
    ("Samaritans can be reached on 116 123.", "on one one six, one two three"),
    ("Readers can call 020 7946 0123.", "oh two oh, seven nine four six, oh one two three"),
    ("The 9/11 attacks changed air travel.", "nine eleven attacks"),
])
def test_emergency_and_phone_numbers_are_said_digit_by_digit(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("Python 3.12 was released.", "Python three point twelve"),
    ("Version 2.0.1 fixes it.", "Version two point oh point one"),
    ("Apple released iOS 18.1 on Monday.", "iOS eighteen point one"),
])
def test_a_version_is_said_part_by_part(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("The game ended 21-17.", "ended 21 to 17"),
    ("The Lakers won 112-104.", "won 112 to 104"),
    ("Leicester beat Bath 27-13.", "27 to 13"),
    ("Arsenal won 3-1 at home.", "won 3 1 at"),
    ("Spain won 2-0.", "won 2 nil"),
])
def test_a_score_is_never_heard_as_a_year_or_a_range(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("Panels cost 30 cents/W.", "30 cents per watt"),
    ("Emissions of 120 g/km are allowed.", "120 grams per kilometre"),
    ("Prices rose to $4/gallon.", "4 dollars per gallon"),
    ("Diesel hit 160p/litre.", "160 pence per litre"),
    ("The region has 40 people/sq km.", "40 people per square kilometre"),
    ("Oil fell to $80/bbl.", "80 dollars per barrel"),
    ("The car reached 120 km/h.", "120 kilometres per hour"),
])
def test_a_unit_after_a_slash_is_said_after_per(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text", ["Staff and/or volunteers helped.", "Each pupil brings his/her own lunch."])
def test_a_slash_between_words_is_not_per(text: str) -> None:
    assert " per " not in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("a £5.5bn plan to fix roads", "a 5.5 billion pound plan"),
    ("The government unveiled a £5.5bn ($7bn) plan.", "a 5.5 billion pound,"),
    ("Ministers approved a $2.1bn rescue on Friday.", "a 2.1 billion dollar rescue"),
    ("A €300m contract was signed.", "300 million euro contract"),
])
def test_an_amount_before_a_noun_is_singular(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


@pytest.mark.parametrize("text, fragment", [
    ("She won the marathon in 2:17:45.", "in two hours, seventeen minutes and forty-five seconds"),
    ("He finished in 2:05:10 on Sunday.", "two hours, five minutes and ten seconds on"),
    ("She ran the mile in 4:12.56.", "four minutes and twelve point five six seconds"),
    ("Residents were told to call 311 for help.", "call three one one for"),
])
def test_a_time_in_sport_is_said_in_hours_minutes_and_seconds(text: str, fragment: str) -> None:
    assert fragment in normalize(text)


def test_a_clock_time_is_still_a_clock_time() -> None:
    assert normalize("The meeting starts at 10:30.") == "The meeting starts at ten thirty."
