"""Speech normalisation: each rule pinned on a real-looking news sentence."""

from __future__ import annotations

import re

import pytest

from briefing.text.sentences import split_sentences
from briefing.text.speech.text import normalize

CASES = [
    # units, and brackets read as an aside
    ("Ukraine says it has regained control over 3,000 sq km (1,158 sq miles) of territory.",
     "Ukraine says it has regained control over 3,000 square kilometres, 1,158 square miles, of territory."),
    ("Its forces have taken control of around 1 km of road and 500 sq km in the south.",
     "Its forces have taken control of around 1 kilometre of road and 500 square kilometres in the south."),
    ("The storm brought winds of 70mph and the car was doing 120 km/h.",
     "The storm brought winds of 70 miles per hour and the car was doing 120 kilometres per hour."),
    ("The intruder jumped 30ft (10m) from a first floor window.",
     "The intruder jumped 30 feet, 10 metres, from a first floor window."),
    ("The parcel weighed 2kg, or about 4.4lbs, and was 30cm long.",
     "The parcel weighed 2 kilograms, or about 4.4 pounds, and was 30 centimetres long."),
    ("Temperatures reached 40C in Seville and 104°F in Phoenix.",
     "Temperatures reached 40 degrees Celsius in Seville and 104 degrees Fahrenheit in Phoenix."),
    ("A Blu-ray disc will store 50GB of data over a 40Mbps link.",
     "A Blu-ray disc will store 50 gigabytes of data over a 40 megabit per second link."),
    ("Engineers built a 10km-long tunnel under the city.",
     "Engineers built a 10 kilometre long tunnel under the city."),
    # 'm': metres or million
    ("Workers finished a 65m-high tower in the capital.", "Workers finished a 65 metre high tower in the capital."),
    ("She won the 100m sprint in 10.9 seconds.", "She won the 100 metre sprint in 10.9 seconds."),
    ("The wall is 12m high in places.", "The wall is 12 metres high in places."),
    ("Yusuf, who came third in the 400m, is from Sudan.", "Yusuf, who came third in the 400 metres, is from Sudan."),
    ("Idowu lit up the event with his leap of 17.30m, a world lead.",
     "Idowu lit up the event with his leap of 17.30 metres, a world lead."),
    ("The show was watched by 65m people.", "The show was watched by 65 million people."),
    ("Heineken's net income fell to 537m euros last year.", "Heineken's net income fell to 537 million euros last year."),
    # money
    ("The club paid £65m for the striker.", "The club paid 65 million pounds for the striker."),
    ("Turnover was up 4.3% to £1.97bn.", "Turnover was up 4.3 per cent to 1.97 billion pounds."),
    ("Ryanair signed a $4bn deal and raised $5m from investors.",
     "Ryanair signed a 4 billion dollar deal and raised 5 million dollars from investors."),
    ("The surcharge was raised from £2.50 to £4 a leg.", "The surcharge was raised from 2 pounds 50 to 4 pounds a leg."),
    ("A coffee costs $1 and a stamp costs 70p.", "A coffee costs 1 dollar and a stamp costs 70 pence."),
    ("The bank was fined €3bn and paid US$20m in damages.",
     "The bank was fined 3 billion euros and paid 20 million U.S dollars in damages."),
    ("He earns £50k a year.", "He earns 50 thousand pounds a year."),
    ("The repairs will cost £5-10m, officials said.", "The repairs will cost 5 to 10 million pounds, officials said."),
    ("The scheme will cost ₹500bn and ¥2tn.", "The scheme will cost 500 billion rupees and 2 trillion yen."),
    ("Shares fell 5% and the pound dropped 2.5 percent.", "Shares fell 5 per cent and the pound dropped 2.5 per cent."),
    # titles
    ("Mr Smith and Mrs Jones met Ms Patel and Dr Houck.",
     "Mister Smith and Missus Jones met Miz Patel and Doctor Houck."),
    ("Prof. Jane Green briefed Gen Sir Nick Carter and Lt Col Ann Reed.",
     "Professor Jane Green briefed General Sir Nick Carter and Lieutenant Colonel Ann Reed."),
    ("Sen Warren and Rep Ocasio-Cortez wrote to Gov Newsom.",
     "Senator Warren and Representative Ocasio-Cortez wrote to Governor Newsom."),
    ("Protesters gathered outside Downing St as St Paul's Cathedral rang its bells.",
     "Protesters gathered outside Downing Street as Saint Paul's Cathedral rang its bells."),
    # ordinals and dates
    ("The 22nd summit opened on 14 March.", "The twenty-second summit opened on the fourteenth of March."),
    ("The vote was held on March 14 after a long delay.", "The vote was held on March fourteenth after a long delay."),
    ("The law came into force on 1 Jan 2024.", "The law came into force on the first of January twenty twenty-four."),
    ("The festivals will be held on 26-28 August.", "The festivals will be held on the twenty-sixth to the twenty-eighth of August."),
    ("Since the 11 September 2001 attacks, BA has cut jobs.",
     "Since the eleventh of September two thousand and one attacks, B.A has cut jobs."),
    # times
    ("The first missile struck at 00:20 local time.", "The first missile struck at twenty past midnight local time."),
    ("The meeting starts at 14:30 and ends at 16:00.", "The meeting starts at fourteen thirty and ends at sixteen hundred."),
    ("Polls open at 7am and close at 9.30pm.", "Polls open at seven a.m. and close at nine thirty p.m."),
    ("By 1830 GMT the dollar had recovered.", "By eighteen thirty G.M.T the dollar had recovered."),
    # years, decades and ranges
    ("The company was founded in 2019 and expanded in 2008.",
     "The company was founded in twenty nineteen and expanded in two thousand and eight."),
    ("The fund helped 2019 people and 2,019 families.", "The fund helped 2019 people and 2,019 families."),
    ("Inflation was high in the 1990s and in the '80s.", "Inflation was high in the nineteen nineties and in the eighties."),
    ("Exports grew during 2019-20 and again in 2021–2022.",
     "Exports grew during twenty nineteen to twenty twenty and again in twenty twenty-one to twenty twenty-two."),
    ("Between 10-15 people were hurt.", "Between 10 and 15 people were hurt."),
    ("Everton ultimately lost 1-0 after Wales came from 15-6 down.",
     "Everton ultimately lost 1 nil after Wales came from 15 to 6 down."),
    ("Federer won 6-1 6-2 in Doha.", "Federer won 6 1, 6 2 in Doha."),
    ("Ryanair ordered 70 Boeing 737-800 planes.", "Ryanair ordered 70 Boeing seven thirty-seven eight hundred planes."),
    # acronyms
    ("The BBC cannot verify these figures, the UK and US said.",
     "The B.B.C cannot verify these figures, the U.K and U.S said."),
    ("NHS staff, EU officials, the FBI and the CEO met MPs.",
     "N.H.S staff, E.U officials, the F.B.I and the C.E.O met M.P.'s."),
    ("NATO and NASA officials briefed Ofcom, OPEC and JAXA about COVID.",
     "Nato and Nasa officials briefed Ofcom, Opec and Jaxa about Covid."),
    ("The UN's food agency and the IMF warned of a slowdown.",
     "The U.N.'s food agency and the I.M.F warned of a slowdown."),
    ("WATCH: Ukraine seizes abandoned Russian tanks", "Watch: Ukraine seizes abandoned Russian tanks"),
    ("Operators are rolling out 5G and 3D screens.", "Operators are rolling out 5 G and 3 D screens."),
    ("Richard III was crowned before World War II was imagined.",
     "Richard the Third was crowned before World War two was imagined."),
    # other abbreviations and symbols
    ("Marsh & McLennan sold assets, e.g. offices, i.e. property, etc.",
     "Marsh and McLennan sold assets, for example offices, that is property, et cetera."),
    ("The paper said Spain v England was dull and No 10 agreed.",
     "The paper said Spain versus England was dull and Number 10 agreed."),
    ("Unemployment fell by 1/2 a point \u2014 the lowest since records began.",
     "Unemployment fell by half a point, the lowest since records began."),
    ("He said \u201cwe will win\u201d, then left [the building] *immediately*.",
     'He said "we will win", then left the building immediately.'),
    ("She said: \"(laughs) no comment.\"", 'She said: "laughs, no comment."'),
    ("The church was built c. 1850 and seats 300+ people.",
     "The church was built circa eighteen fifty and seats 300 plus people."),
    ("He finished 1st in the 21st Grand Prix and tickets cost £20.",
     "He finished first in the twenty-first Grand Prix and tickets cost 20 pounds."),
    ("The band plays Dublin on June 24 and 25 before a 0-0 draw at home.",
     "The band plays Dublin on June twenty-fourth and twenty-fifth before a nil all draw at home."),
    ("Most buyers are in their 30s, and PlayStation 2s still sell.",
     "Most buyers are in their thirties, and PlayStation twos still sell."),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_normalize_reads_like_a_newsreader(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ukraine has regained 3,000 sq km (1,158 sq miles) of land.", "Ukraine has regained 3,000 square kilometres of land."),
    ("The tower is 100m (328ft) tall.", "The tower is 100 metres tall."),
    ("Debts reached 14bn euros ($18.34bn; £9.6bn) last year.", "Debts reached 14 billion euros last year."),
    ("Companies in the survey (24%) were verified.", "Companies in the survey, 24 per cent, were verified."),
    ("General Motors (GM) cut production.", "General Motors, G.M, cut production."),
    ("A ticket costs $65 (£50) online.", "A ticket costs 65 dollars online."),
])
def test_drop_conversions_drops_only_bracketed_conversions(text: str, expected: str) -> None:
    assert normalize(text, drop_conversions=True) == expected


@pytest.mark.parametrize("text", [CASE[0] for CASE in CASES])
def test_output_has_nothing_espeak_would_misread(text: str) -> None:
    spoken = normalize(text)
    assert not re.search(r"[£$€%]|\bbn\b|sq km|\bMr |\b\d[\d,.]*[a-zA-Z]+\b", spoken)
    assert ", ." not in spoken and ",," not in spoken


def test_split_sentences_keeps_abbreviations_and_decimals_inside_sentences() -> None:
    text = ("Mr. Smith flew to the U.S. on Monday. Growth was 3.5% in some sectors, e.g. retail. "
            "\"It is over,\" he said. She replied: \"We won.\" Then she left.  ")
    assert split_sentences(text) == [
        "Mr. Smith flew to the U.S. on Monday.",
        "Growth was 3.5% in some sectors, e.g. retail.",
        "\"It is over,\" he said.",
        "She replied: \"We won.\"",
        "Then she left.",
    ]


def test_split_sentences_drops_empty_input() -> None:
    assert split_sentences("   ") == []
    assert split_sentences("") == []
