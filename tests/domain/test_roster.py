"""A pasted list of students: names and addresses in the ways teachers write them."""

from __future__ import annotations

from quiz.domain.roster import MAX_STUDENTS, Problem, RosterLine, parse_roster


def test_a_name_and_an_address_are_read_in_either_order_and_any_separator():
    text = (
        "Olena Shevchenko, olena@school.example\n"
        "Taras\tBondarenko\ttaras@school.example\n"  # three columns of a spreadsheet
        "sofia@school.example; Sofia  Melnyk\n"
        "Mykola Kravets <mykola@school.example>\n"  # as a mail program copies it
        "andriy@school.example\n"
    )
    students, problems = parse_roster(text)
    assert problems == []
    assert students == [
        RosterLine(1, "Olena Shevchenko", "olena@school.example"),
        RosterLine(2, "Taras Bondarenko", "taras@school.example"),
        RosterLine(3, "Sofia Melnyk", "sofia@school.example"),
        RosterLine(4, "Mykola Kravets", "mykola@school.example"),
        RosterLine(5, "", "andriy@school.example"),
    ]


def test_quoted_names_are_read_as_mail_programs_and_csv_files_write_them():
    text = (
        '"Shevchenko, Olena" <olena@school.example>\n'  # as Outlook copies an address
        '"Bondarenko, Taras",taras@school.example\n'  # a CSV file's line
        "Sofia Melnyk sofia@school.example\n"  # spaces only
    )
    students, problems = parse_roster(text)
    assert problems == []
    assert students == [
        RosterLine(1, "Shevchenko, Olena", "olena@school.example"),
        RosterLine(2, "Bondarenko, Taras", "taras@school.example"),
        RosterLine(3, "Sofia Melnyk", "sofia@school.example"),
    ]


def test_only_line_breaks_end_a_line_so_its_number_is_the_one_the_teacher_sees():
    text = "Olena\u2028Shevchenko\x0b, olena@school.example\r\nTaras, taras@school.example"
    students, _ = parse_roster(text)
    assert [(s.number, s.name) for s in students] == [(1, "Olena Shevchenko"), (2, "Taras")]


def test_blank_lines_and_a_first_line_of_headings_are_skipped_and_lines_keep_their_numbers():
    students, problems = parse_roster("\n  \nName\tEmail address\n\nOlena, olena@school.example\n")
    assert problems == []
    assert students == [RosterLine(5, "Olena", "olena@school.example")]
    # A spreadsheet's export may start with a byte-order mark.
    students, problems = parse_roster("\ufeffStudent name;E-mail\nOlena;olena@school.example")
    assert (students, problems) == ([RosterLine(2, "Olena", "olena@school.example")], [])
    # Headings are only skipped at the top: further down they are a line without an address.
    _, problems = parse_roster("olena@school.example\nName, Email\n")
    assert problems == [Problem(2, "Line 2 has no email address: “Name, Email”")]


def test_a_line_without_an_address_or_with_two_is_a_problem_of_its_line():
    students, problems = parse_roster(
        "Olena Shevchenko\nTaras, taras@school.example, taras@home.example\nok@school.example\n"
    )
    assert problems == [
        Problem(1, "Line 1 has no email address: “Olena Shevchenko”"),
        Problem(2, "Line 2 has more than one email address: put one student on a line."),
    ]
    assert students == [RosterLine(3, "", "ok@school.example")]


def test_a_long_line_is_quoted_short():
    (problem,) = parse_roster("x" * 500)[1]
    assert problem.message == f"Line 1 has no email address: “{'x' * 60}…”"


def test_more_students_than_one_list_may_hold_is_a_problem_of_the_whole_list():
    text = "\n".join(f"s{n}@school.example" for n in range(MAX_STUDENTS + 1))
    students, problems = parse_roster(text)
    assert len(students) == MAX_STUDENTS + 1
    assert problems == [
        Problem(
            0,
            f"Add at most {MAX_STUDENTS} students at a time: this list has {MAX_STUDENTS + 1}. "
            "Split it in two.",
        )
    ]
    assert parse_roster(text.rsplit("\n", 1)[0])[1] == []
