"""Names across scripts, romanizations, nicknames, order, initials and decorations."""

from __future__ import annotations

import pytest

from identity.api import IdentityRecord
from identity.keys import name_keys
from identity.namematch import EXACT, VARIANT, compare_names
from identity.normalize.names import parse_display_name, parse_parts
from identity.normalize.nicknames import formal_names
from identity.normalize.scripts import devanagari_word, han_family, han_given, hangul_family, hangul_given
from identity.normalize.text import skeleton
from identity.profile import build_profile


def outcome(a: str, b: str) -> str:
    return compare_names(parse_display_name(a), parse_display_name(b)).outcome


def test_hangul_gives_several_romanizations() -> None:
    assert {"minsu"} <= set(hangul_given("민수"))
    assert {skeleton(s) for s in ("Lee", "Yi", "Rhee")} <= set(hangul_family("이"))
    assert {skeleton(s) for s in ("Jung", "Jeong", "Chung")} <= set(hangul_family("정"))


def test_han_gives_pinyin_wade_giles_and_cantonese_surnames() -> None:
    assert {"xiaoming", "hsiaoming"} <= set(han_given("小明"))
    assert {"zhang", "chang", "chung"} <= set(han_family("张"))
    assert {"chen", "chan"} <= set(han_family("陈"))


def test_devanagari_deletes_the_final_schwa() -> None:
    assert devanagari_word("पूजा")[0] == "puja"
    assert "amitab" in devanagari_word("अमिताभ")
    assert "rao" in devanagari_word("राव")


@pytest.mark.parametrize(
    ("word", "spoken"),
    [("मेहता", "mehta"), ("कमला", "kamla"), ("आरती", "arti"), ("रजनी", "rajni"), ("रोहित", "rohit")],
)
def test_devanagari_deletes_the_medial_schwa_people_do_not_write(word: str, spoken: str) -> None:
    assert devanagari_word(word)[0] == skeleton(spoken)


@pytest.mark.parametrize(("word", "kept"), [("कविता", "kavita"), ("नरेन्द्र", "narendra"), ("अग्रवाल", "agraval")])
def test_devanagari_keeps_the_schwas_that_are_pronounced(word: str, kept: str) -> None:
    assert devanagari_word(word)[0] == skeleton(kept)


def test_devanagari_va_is_written_v_or_w() -> None:
    assert {"agraval", "agrawal"} <= set(devanagari_word("अग्रवाल"))


@pytest.mark.parametrize(
    ("native", "latin"),
    [("정서수", "Seosu Jung"), ("정서수", "Suhsoo Jeong"), ("김민수", "Minsu Kim"), ("रोहित मेहता", "Rohit Mehta")],
)
def test_native_and_romanized_names_share_a_blocking_key(native: str, latin: str) -> None:
    # the most used romanizations block first: alphabetical order once kept only rare ones (shoshu, shosu...)
    assert name_keys_of(native) & name_keys_of(latin)


def name_keys_of(name: str) -> set[str]:
    profile = build_profile(IdentityRecord("k", "social_profile", "x", "1", {"name": name}))
    return {key for key in name_keys(profile) if key.startswith("n:")}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("김민수", "Minsu Kim"),
        ("김민수", "KIM Min-soo"),
        ("이서연", "Rhee Seo-yeon"),
        ("정영호", "Young-ho Jung"),
        ("张小明", "Hsiao-ming Chang"),
        ("陈伟", "Wei Chan"),
        ("पूजा शर्मा", "Puja Sharma"),
        ("Kavitha Rao", "Kavita Rao"),
        ("Kovačič Ana", "ana kovacic"),
        ("José García", "Jose Garcia"),
        ("Bob Smith", "Robert Smith"),
        ("Paco Hernández", "Francisco Hernandez"),
        ("Min Su Kim", "Minsu Kim"),
    ],
)
def test_same_person_written_differently(a: str, b: str) -> None:
    assert outcome(a, b) == "full"


def test_match_quality_says_how_names_agree() -> None:
    assert compare_names(parse_display_name("Ana Novak"), parse_display_name("ana novak")).quality == EXACT
    assert compare_names(parse_display_name("김민수"), parse_display_name("Minsu Kim")).quality == VARIANT


def test_initials_and_single_names() -> None:
    assert outcome("Matej N.", "Matej Novak") == "initial"
    assert outcome("Minsu | Travel 📸", "Minsu Kim") == "single"


def test_different_people_are_told_apart() -> None:
    assert outcome("Minsu Kim", "Minji Kim") == "conflict"
    assert outcome("Xiaodong Chen", "Xiaoming Chen") == "conflict"
    assert outcome("Ana Novak", "Luka Horvat") == "different"


def test_decorations_emoji_and_places_are_stripped() -> None:
    forms = parse_display_name("Pooja Sharma | Mumbai ✨")
    assert [t.text for t in forms[0].tokens] == ["puja", "sharma"]
    assert len(forms) == 1


def test_two_written_names_give_two_forms() -> None:
    forms = parse_display_name("김민수 (Minsu Kim)")
    assert [t.text for t in forms[0].tokens] == ["김", "민수"]
    assert [t.text for t in forms[1].tokens] == ["minsu", "kim"]


def test_crm_parts_join_split_given_names() -> None:
    forms = parse_parts("Min Su", "Kim")
    assert any([t.text for t in form.tokens] == ["minsu", "kim"] for form in forms)


def test_nicknames_map_to_formal_names() -> None:
    assert "robert" in formal_names("bob")
    assert "francisco" in formal_names("paco")
    assert formal_names("robert") == frozenset({"robert"})


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("محمد علي", "Mohamed Ali"),
        ("محمد علي", "Muhammad Aly"),
        ("أحمد حسن", "Ahmad Hasan"),
        ("فاطمة الزهراء", "Fatima Alzahraa"),
        ("يوسف الحداد", "Youssef Haddad"),
        ("يوسف الحداد", "Yousef Al-Haddad"),
        ("خالد عبدالله", "Khalid Abdallah"),
        ("حسين رضا", "Hossein Reza"),  # Persian letter forms (ی, ک) are read as Arabic ones
    ],
)
def test_arabic_names_match_the_spellings_people_use(arabic: str, latin: str) -> None:
    assert outcome(arabic, latin) == "full"
    assert name_keys_of(arabic) & name_keys_of(latin)  # and they are compared at all


def test_latin_spellings_of_one_arabic_name_match_each_other() -> None:
    assert outcome("Mohamed Ali", "Muhammad Ali") == "full"
    assert outcome("Youssef Khaled", "Yusuf Khalid") == "full"
    assert name_keys_of("Mohammed Hassan") & name_keys_of("Muhammad Hasan")


def test_arabic_vowel_marks_and_letter_forms_do_not_matter() -> None:
    assert outcome("أَحْمَد حسن", "احمد حسن") == "full"
    assert compare_names(parse_display_name("فاطمة"), parse_display_name("فاطمه")).quality == EXACT


def test_different_arabic_names_are_told_apart() -> None:
    assert outcome("محمد علي", "Mohamed Hassan") == "conflict"
    assert outcome("محمد علي", "Omar Khaled") == "different"
    salem_salim = compare_names(parse_display_name("سالم"), parse_display_name("Salim"))
    assert salem_salim.quality < VARIANT  # two names, a letter apart: no more than a typo would be


def test_an_arabic_name_outside_the_table_matches_only_itself() -> None:
    assert outcome("قحطان", "قحطان") == "single"
    assert outcome("قحطان", "Mohamed") == "different"


@pytest.mark.parametrize(
    ("hebrew", "latin"),
    [("יוסי כהן", "Yossi Cohen"), ("דוד לוי", "David Levy"), ("שָׂרָה כֹּהֵן", "Sarah Kohen"), ("יעקב כץ", "Yaakov Katz")],
)
def test_hebrew_names_match_the_spellings_people_use(hebrew: str, latin: str) -> None:
    assert outcome(hebrew, latin) == "full"
    assert name_keys_of(hebrew) & name_keys_of(latin)


def test_hebrew_spellings_leave_latin_names_as_they_were() -> None:
    assert outcome("יוסי כהן", "David Cohen") == "conflict"
    assert not any("#" in key for key in name_keys_of("David Perez"))  # no group key for everyday Western names
