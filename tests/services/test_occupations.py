"""Typed occupations counted as the listed ones they clearly are."""

from __future__ import annotations

import pytest

from bot.services.occupations import group_occupations, listed_occupation
from bot.services.validators import OCCUPATIONS


@pytest.mark.parametrize(("typed", "listed"), [
    ("ngojek online (grab)", "Ojek / ojol"),
    ("Driver GOJEK", "Ojek / ojol"),  # an ojol driver, not a Sopir
    ("ojek pangkalan", "Ojek / ojol"),
    ("sopir truk pasir", "Sopir"),
    ("nyupir angkot", "Sopir"),
    ("buruh tani tembakau", "Buruh tani"),  # the farmhand, not the tobacco farmer
    ("kuli sawah", "Buruh tani"),
    ("petani tembakau kasturi", "Petani tembakau"),
    ("nandur mbako", "Petani tembakau"),
    ("bertani padi", "Petani"),
    ("ternak sapi", "Peternak"),
    ("nelayan di Puger", "Nelayan"),
    ("jualan sayur di pasar", "Pedagang"),
    ("PKL", "Pedagang"),
    ("karyawan pabrik rokok", "Buruh pabrik"),
    ("kuli bangunan", "Buruh bangunan"),
    ("pembantu", "Pekerja rumah tangga"),
    ("usaha kecil keripik", "UMKM"),
    ("  ojek / OJOL ", "Ojek / ojol"),
    ("lainnya", "Lainnya"),
])
def test_typed_work_that_names_one_listed_occupation_is_counted_as_it(
    typed: str, listed: str
) -> None:
    assert listed_occupation(typed) == listed


@pytest.mark.parametrize("typed", [
    "petani dan ojek",  # two occupations: unclear
    "jualan bahan bangunan sama nyopir",
    "guru ngaji",
    "ibu rumah tangga",  # a housewife, not a domestic worker
    "toko bangunan",
    "buruh",
    "",
])
def test_unclear_or_unlisted_work_stays_as_typed(typed: str) -> None:
    assert listed_occupation(typed) is None


def test_every_listed_occupation_is_itself() -> None:
    assert [listed_occupation(job) for job in OCCUPATIONS] == list(OCCUPATIONS)


def test_counts_are_grouped_under_the_listed_occupation() -> None:
    counts = [("Petani", 4), ("Ojek / ojol", 2), ("ngojek online (grab)", 1), ("ojol", 1),
              ("Guru honorer", 1), ("guru honorer", 2), ("petani dan ojek", 1)]
    assert group_occupations(counts) == [
        ("Ojek / ojol", 4), ("Petani", 4), ("guru honorer", 3), ("petani dan ojek", 1)]
    assert group_occupations([]) == []
