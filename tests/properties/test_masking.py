"""Properties of the one masking function: NIKs and phone numbers never survive, however
they are written; amounts, dates and 175 stay readable."""

from __future__ import annotations

from datetime import date

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.services.masking import MASK, mask_personal_numbers

# What separates the groups of a number when people type it.
SEPARATORS = st.text(alphabet=" .-\u00a0\u2013\t", min_size=1, max_size=3)
# Text around the number, as in a question: words and punctuation, no digits.
WORDS = st.text(alphabet="abcdeghijklmnoprstuwy ,.?!:;'", max_size=30)
DIGITS = "0123456789"


@st.composite
def spaced(draw: st.DrawFn, digits: str) -> str:
    """`digits` cut into groups at random places, joined by a mix of separators."""
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=len(digits) - 1)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    return groups[0] + "".join(draw(SEPARATORS) + group for group in groups[1:])


@st.composite
def niks(draw: st.DrawFn) -> str:
    return draw(spaced(draw(st.text(alphabet=DIGITS, min_size=16, max_size=16))))


@st.composite
def phones(draw: st.DrawFn) -> str:
    """Indonesian mobile and landline numbers of 9 digits or more, in the ways people write
    them: 0812…, +62 812…, 62 812…, +62 (0)812…, (0331) 123456."""
    if draw(st.booleans()):  # mobile: 8 and 8 to 11 more digits
        national = "8" + draw(st.text(alphabet=DIGITS, min_size=8, max_size=11))
        area = ""
    else:  # landline: an area code and a local number
        area = draw(st.sampled_from(["21", "31", "331", "334", "341", "351"]))
        national = area + draw(st.text(alphabet=DIGITS, min_size=5, max_size=8))
    style = draw(st.sampled_from(["0", "+62", "62", "+62 (0)", "(0area)"]))
    assume(len(national) >= 8)  # 9 digits or more with the 0
    if style == "(0area)":
        assume(area)
        local = national[len(area):]
        return f"(0{area})" + draw(st.sampled_from(["", " ", "-"])) + draw(spaced(local))
    if style == "62":  # without "+" or 0: 11 digits at least (shorter is a Telegram id)
        assume(len(national) >= 9)
    digits = ("0" if style == "0" else "62" if style == "62" else "") + national
    lead = {"+62": "+62" + draw(st.sampled_from(["", " ", "-"])), "+62 (0)": "+62 (0)"}
    return lead.get(style, "") + draw(spaced(digits))


@given(WORDS, niks(), WORDS)
def test_no_nik_survives_in_any_spelling(before: str, nik: str, after: str) -> None:
    masked = mask_personal_numbers(f"{before} {nik} {after}")
    assert not any(char.isdigit() for char in masked), masked
    assert MASK in masked


@given(WORDS, phones(), WORDS)
def test_no_phone_number_survives_in_any_spelling(before: str, phone: str, after: str) -> None:
    masked = mask_personal_numbers(f"{before} {phone} {after}")
    assert not any(char.isdigit() for char in masked), masked
    assert MASK in masked


LEADING_1_TO_5 = st.integers(1000, 5_999_999).filter(lambda n: str(n)[0] in "12345")


def rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@st.composite
def readable(draw: st.DrawFn) -> str:
    """Things workers write that staff must read: amounts, dates, 175, small numbers."""
    return draw(st.one_of(
        st.integers(0, 999_999_999_999).map(lambda n: f"Rp{rupiah(n)}"),
        st.integers(0, 999_999_999_999).map(lambda n: f"Rp {rupiah(n)}"),
        st.integers(0, 999_999_999).map(rupiah),  # "1.500.000" without Rp
        st.builds(lambda a, b: f"Rp{rupiah(a)} - Rp{rupiah(b)}",
                  st.integers(0, 10**12 - 1), st.integers(0, 10**12 - 1)),
        st.builds(lambda a, b: f"Rp{rupiah(a)} - {rupiah(b)}",
                  st.integers(1000, 10**7 - 1), st.integers(1000, 10**7 - 1)),
        # Without "Rp", a range starting with 8 or 62 reads as a phone number (masked).
        st.builds(lambda a, b: f"{rupiah(a)} - {rupiah(b)}", LEADING_1_TO_5, LEADING_1_TO_5),
        st.builds(lambda whole, part: f"{whole},{part} juta",
                  st.integers(0, 999), st.integers(0, 99)),
        st.builds(lambda day, fmt: day.strftime(fmt),
                  st.dates(date(1940, 1, 1), date(2100, 12, 31)),
                  st.sampled_from(["%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d",
                                   "%d %m %Y", "%d.%m.%Y jam %H.%M", "%Y-%m-%d %H:%M"])),
        # Not "01-08-2025 10.00": the time right after a date makes 12 digits from a 0, as a
        # phone number can be written; that is masked (bot/services/masking.py).

        st.just("175"), st.just("JHT 5,7%"), st.integers(0, 99_999_999).map(str),
    ))


@given(st.lists(readable(), min_size=1, max_size=4), st.sampled_from([" dan ", ", lalu ", "? "]))
def test_amounts_dates_and_175_stay_readable(pieces: list[str], joiner: str) -> None:
    text = "gaji saya " + joiner.join(pieces) + " berapa iurannya"
    assert mask_personal_numbers(text) == text


def test_the_reported_spellings_are_masked() -> None:
    for number in ("3509 2145 0890 0001", "35.09.21-450890-0001", "3509214508900001",
                   "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890",
                   "62 812-3456-7890", "(0331) 123456", "081234567890", "+6281234567890",
                   "6281234567890", "+62 (0)812 3456 7890", "0812.3456.7890"):
        assert mask_personal_numbers(f"nomor saya {number}, tolong") == (
            f"nomor saya {MASK}, tolong"), number


def test_everything_else_is_kept_as_typed() -> None:
    for text in ("Rp1.500.000", "2,5 juta", "17-08-2025", "175", "Rp1.000.000.000",
                 "iuran 1.500.000 - 2.000.000?", "user=6212345678 update=812345678",
                 "chat=-1001234567890", "(lihat PP 44/2015)", ""):
        assert mask_personal_numbers(text) == text
