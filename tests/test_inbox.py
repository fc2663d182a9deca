"""The inbox is read only inside itself, and every file seen is on record with why (contract §1,
rules.md R-SEC): links, hidden and lock files, pipes, empty and header-only files, files moved
between folders after a rejection."""

from __future__ import annotations

import os

import pytest

from conftest import load, rows, write_csv

ACT = {"act_id": "A1", "case_id": "C1", "act_type": "seizure", "started_at": "2025-03-02 10:00",
       "ended_at": "2025-03-02 11:00", "officer_ids": "O1"}


def records(con) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in rows(con, "select path, outcome, sha256 is not null, message_en from load_files")}


def test_a_link_leading_outside_the_inbox_is_refused_and_never_read(inbox, warehouse, tmp_path):
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    outside_csv = write_csv(tmp_path / "outside" / "acts.csv", [ACT])
    os.symlink(secret, inbox / "cases" / "x.jsonl")
    (inbox / "acts").mkdir()
    os.symlink(outside_csv, inbox / "acts" / "acts.csv")
    os.symlink(tmp_path / "outside", inbox / "media")  # a whole source folder elsewhere
    os.symlink(tmp_path / "nothing-here.csv", inbox / "acts" / "dangling.csv")
    batch = load(warehouse, inbox)
    on_record = records(warehouse)
    for path in ("cases/x.jsonl", "acts/acts.csv", "media"):
        assert on_record[path] == ("rejected", False, "a link leading outside the inbox: refused, not read")
    assert on_record["acts/dangling.csv"] == ("rejected", False, "a link to nothing: refused, not read")
    assert batch.outcome == "partial"
    # nothing of it reached the warehouse, raw or quarantined
    assert rows(warehouse, "select count(*) from raw_acts") == [(0,)]
    assert rows(warehouse, "select count(*) from quarantine") == [(0,)]
    assert rows(warehouse, "select count(*) from raw_cases") == [(1,)]
    # seen again unchanged, it is not recorded twice
    again = load(warehouse, inbox)
    assert again.outcome == "nothing_new" and rows(warehouse, "select count(*) from load_files where batch_id = 2") == [(0,)]


def test_a_link_inside_the_inbox_is_read_at_its_target(inbox, warehouse):
    target = write_csv(inbox / "incoming" / "acts-2025-03.csv", [ACT])
    (inbox / "acts").mkdir()
    os.symlink(os.path.relpath(target, inbox / "acts"), inbox / "acts" / "march.csv")
    load(warehouse, inbox)
    assert records(warehouse)["acts/march.csv"][:2] == ("loaded", True)
    assert rows(warehouse, "select act_id from raw_acts") == [("A1",)]


def test_hidden_lock_and_special_files_are_on_record_and_not_read(inbox, warehouse):
    write_csv(inbox / "acts" / ".acts.csv.swp", [ACT])
    write_csv(inbox / "acts" / "~$acts.xlsx", [ACT])
    write_csv(inbox / "acts" / ".git" / "acts.csv", [ACT])
    os.mkfifo(inbox / "acts" / "pipe.csv")  # reading it would block the load for ever
    load(warehouse, inbox)
    on_record = records(warehouse)
    for path in ("acts/.acts.csv.swp", "acts/~$acts.xlsx", "acts/.git"):
        assert on_record[path] == ("skipped", False, "a hidden file or an Office lock file (~$): not read")
    assert on_record["acts/pipe.csv"] == ("skipped", False, "not a regular file (a pipe, a device…): not read")
    assert "acts/.git/acts.csv" not in on_record
    assert rows(warehouse, "select count(*) from raw_acts") == [(0,)]


def test_a_rejected_file_moved_to_its_right_folder_loads(inbox, warehouse):
    """Issue #22: an acts file first dropped into cases/ (rejected) and then moved to acts/ loaded never."""
    wrong = write_csv(inbox / "cases" / "acts.csv", [ACT])
    assert load(warehouse, inbox).outcome == "partial"
    assert records(warehouse)["cases/acts.csv"][:2] == ("rejected", True)
    assert load(warehouse, inbox).outcome == "nothing_new"  # unchanged in place: not tried again
    (inbox / "acts").mkdir()
    wrong.rename(inbox / "acts" / "acts.csv")
    assert load(warehouse, inbox).outcome == "success"
    assert records(warehouse)["acts/acts.csv"][:2] == ("loaded", True)
    assert rows(warehouse, "select act_id from raw_acts") == [("A1",)]


@pytest.mark.parametrize("content, why", [
    (b"", "file is empty or has no header row"),
    ("act_id,case_id,act_type,started_at,ended_at,officer_ids\n".encode(), "file has a header but no rows"),
    ("环节编号,案件编号\r\n".encode("gb18030"), "file has a header but no rows"),
])
def test_empty_and_header_only_files_are_rejected_every_time_they_come(inbox, warehouse, content, why):
    (inbox / "acts").mkdir()
    (inbox / "acts" / "a.csv").write_bytes(content)
    load(warehouse, inbox)
    (inbox / "acts" / "b.csv").write_bytes(content)  # the same content again, under another name
    load(warehouse, inbox)
    on_record = records(warehouse)
    assert on_record["acts/a.csv"] == on_record["acts/b.csv"] == ("rejected", True, why)


def test_a_folder_nested_too_deep_is_on_record_and_the_batch_goes_on(inbox, warehouse):
    """A thousand nested folders made the recursive walk fail every batch (hostile review); the walk
    now keeps no recursion and stops at MAX_DEPTH."""
    deep = inbox / "acts" / "/".join(["a"] * 40)
    deep.mkdir(parents=True)
    write_csv(deep / "acts.csv", [ACT])
    write_csv(inbox / "acts" / "a" / "acts.csv", [ACT])
    assert load(warehouse, inbox).outcome == "success"
    too_deep = [p for p, (_, _, why) in records(warehouse).items() if (why or "").startswith("a folder nested too deep")]
    assert too_deep == ["acts/" + "/".join(["a"] * 16)]
    assert rows(warehouse, "select count(*) from raw_acts") == [(1,)]


def test_what_lies_outside_the_source_folders_is_on_record(inbox, warehouse):
    write_csv(inbox / "loose.csv", [ACT])
    write_csv(inbox / "case" / "typo.csv", [ACT])  # a folder no source has
    load(warehouse, inbox)
    on_record = records(warehouse)
    why = "not in a source folder (files go in <inbox>/<source>/): not read"
    assert on_record["loose.csv"] == on_record["case"] == ("skipped", False, why)
    assert rows(warehouse, "select count(*) from raw_acts") == [(0,)]


def test_a_corrected_file_copied_over_with_its_size_and_time_kept_is_read_again(inbox, warehouse):
    """cp -p or rsync -t keep a file's modification time: its change time, which no tool sets, tells."""
    (inbox / "acts").mkdir()
    target = inbox / "acts" / "acts.csv"
    target.write_text("act_id,case_id,act_typo,started_at,ended_at,officer_ids\nA1,C1,seizure,"
                      "2025-03-02 10:00,2025-03-02 11:00,O1\n", encoding="utf-8")
    assert load(warehouse, inbox).outcome == "partial"  # the header's typo: rejected
    before = target.stat()
    target.write_text(target.read_text(encoding="utf-8").replace("act_typo", "act_type"), encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_size == before.st_size and target.stat().st_mtime_ns == before.st_mtime_ns
    assert load(warehouse, inbox).outcome == "success"
    assert rows(warehouse, "select act_id from raw_acts") == [("A1",)]
