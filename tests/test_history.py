from outpaint_lib.history import HistoryWriter, read_history, truncate_history


def test_rows_round_trip_and_non_finite_values_become_null(tmp_path):
    writer = HistoryWriter(tmp_path / "history.jsonl")
    writer.append({"step": 1, "phase": 1, "mse": 0.5})
    writer.append({"step": 2, "phase": 1, "mse": float("nan")})
    writer.close()
    assert read_history(tmp_path / "history.jsonl") == [
        {"step": 1, "phase": 1, "mse": 0.5}, {"step": 2, "phase": 1, "mse": None},
    ]


def test_a_line_cut_by_a_killed_process_is_ignored(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text('{"step":1,"phase":1}\n{"step":2,"pha')
    assert read_history(path) == [{"step": 1, "phase": 1}]


def test_truncate_keeps_rows_up_to_the_checkpoint(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_text("".join(f'{{"step":{s},"phase":1}}\n' for s in range(1, 8)) + '{"step":8,')
    rows = truncate_history(path, 5)
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["step"] for r in read_history(path)] == [1, 2, 3, 4, 5]
    assert read_history(tmp_path / "absent.jsonl") == []
