//! The verifier against fabricated directories: a correct run, and each
//! way a run can go wrong.

use super::*;

struct Fixture {
    dir: tempfile::TempDir,
    expect: Expectation,
}

fn line(writer: WriterId, seq: u64) -> Vec<u8> {
    let mut line = Vec::new();
    record::line(&mut line, writer, seq, 40);
    line
}

/// Two writers of 6 lines each, alternating, 3 lines of 40 bytes per file
/// (max_bytes 120), written as a correct run would leave them: `app.log.3`
/// (oldest) to `app.log`.
fn good_run() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let lines: Vec<Vec<u8>> = (0..6)
        .flat_map(|seq| [line((0, 0), seq), line((1, 0), seq)])
        .collect();
    let files: Vec<Vec<u8>> = lines.chunks(3).map(|c| c.concat()).collect();
    for (i, content) in files.iter().rev().enumerate() {
        let path = if i == 0 {
            log.clone()
        } else {
            dir.path().join(format!("app.log.{i}"))
        };
        std::fs::write(path, content).unwrap();
    }
    let expect = Expectation {
        log,
        max_bytes: 120,
        backups: 10,
        line_size: 40,
        writers: [((0, 0), 6), ((1, 0), 6)].into(),
        killed: vec![],
        all_gzipped: false,
        foreign: vec![],
        restart_proof: false,
        rotations: None,
    };
    Fixture { dir, expect }
}

fn edit(fixture: &Fixture, name: &str, change: impl FnOnce(&mut Vec<u8>)) {
    let path = fixture.dir.path().join(name);
    let mut data = std::fs::read(&path).unwrap();
    change(&mut data);
    std::fs::write(path, data).unwrap();
}

fn has_problem(report: &Report, words: &str) -> bool {
    report.problems.iter().any(|p| p.contains(words))
}

#[test]
fn a_correct_run_passes() {
    let fixture = good_run();
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!((report.found, report.files, report.backups), (12, 4, 3));
    assert_eq!(report.written, 12);
}

#[test]
fn an_error_from_the_progress_callback_ends_the_verification() {
    let fixture = good_run();
    let mut calls = 0;
    let result = verify_with_progress(&fixture.expect, &mut |_| {
        calls += 1;
        Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "stop asked",
        ))
    });
    let error = result.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::Interrupted);
    assert_eq!(calls, 1, "the verification went on after the error");
}

#[test]
fn progress_is_reported_up_to_the_whole_chain() {
    let fixture = good_run();
    let mut last = None;
    verify_with_progress(&fixture.expect, &mut |p| {
        last = Some(p);
        Ok(())
    })
    .unwrap();
    let last = last.unwrap();
    assert_eq!((last.files_done, last.files_total), (4, 4));
    assert_eq!((last.bytes_done, last.bytes_total), (480, 480));
}

#[test]
fn a_lost_line_is_caught() {
    let fixture = good_run();
    edit(&fixture, "app.log.2", |data| data.truncate(80));
    let report = verify(&fixture.expect).unwrap();
    assert_eq!(report.lost, 1, "{report}");
}

#[test]
fn a_lost_last_line_is_caught() {
    let fixture = good_run();
    edit(&fixture, "app.log", |data| data.truncate(80));
    assert_eq!(verify(&fixture.expect).unwrap().lost, 1);
}

#[test]
fn a_killed_writer_may_stop_early_but_not_skip() {
    let mut fixture = good_run();
    edit(&fixture, "app.log", |data| data.truncate(80));
    fixture.expect.killed = vec![1];
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(report.written, 11);
    edit(&fixture, "app.log.3", |data| {
        data.drain(40..80).for_each(drop)
    });
    assert!(!verify(&fixture.expect).unwrap().ok());
}

#[test]
fn a_writer_killed_before_its_first_line_is_missing_nothing() {
    let mut fixture = good_run();
    fixture.expect.writers.insert((2, 0), 6);
    assert_eq!(verify(&fixture.expect).unwrap().lost, 6);
    fixture.expect.killed = vec![2];
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(report.written, 12);
}

#[test]
fn pruning_may_take_the_oldest_lines_but_not_the_newest() {
    let mut fixture = good_run();
    fixture.expect.backups = 2;
    std::fs::remove_file(fixture.dir.path().join("app.log.3")).unwrap();
    assert!(verify(&fixture.expect).unwrap().ok());
    edit(&fixture, "app.log", |data| data.truncate(80));
    assert_eq!(verify(&fixture.expect).unwrap().lost, 1);
}

#[test]
fn pruning_may_not_leave_a_hole_in_a_writers_lines() {
    let mut fixture = good_run();
    fixture.expect.backups = 2;
    std::fs::remove_file(fixture.dir.path().join("app.log.3")).unwrap();
    // Writer 1's line 2 (the end of app.log.2) goes missing: what is left
    // of writer 1 is no longer one run ending at its last line.
    edit(&fixture, "app.log.2", |data| data.truncate(80));
    let report = verify(&fixture.expect).unwrap();
    assert_eq!(report.lost, 1, "{report}");
}

#[test]
fn counted_rotations_account_for_every_pruned_line() {
    let mut fixture = good_run();
    fixture.expect.backups = 2;
    fixture.expect.rotations = Some(3);
    std::fs::remove_file(fixture.dir.path().join("app.log.3")).unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(report.pruned_files, Some(1));
    assert_eq!(report.pruned_lines, Some(3));
    assert_eq!(report.found + 3, report.expected);
}

#[test]
fn a_lost_oldest_file_is_caught_when_the_rotations_are_counted() {
    // Losing the oldest surviving file looks like pruning to each writer;
    // the count of rotations tells it apart.
    let mut fixture = good_run();
    fixture.expect.backups = 2;
    fixture.expect.rotations = Some(3);
    let dir = fixture.dir.path();
    std::fs::remove_file(dir.join("app.log.3")).unwrap(); // pruned
    std::fs::remove_file(dir.join("app.log.2")).unwrap(); // lost
    let report = verify(&fixture.expect).unwrap();
    assert!(
        has_problem(&report, "1 backups, where 3 rotations keeping 2 leave 2"),
        "{report}"
    );
    assert!(
        has_problem(
            &report,
            "6 of the oldest lines missing, but the 1 files pruned held 3"
        ),
        "{report}"
    );
    assert_eq!(report.lost, 3, "{report}");
}

#[test]
fn a_backup_rotated_before_it_was_full_is_caught_when_the_rotations_are_counted() {
    let mut fixture = good_run();
    fixture.expect.rotations = Some(3);
    assert!(verify(&fixture.expect).unwrap().ok());
    // A file closed at two lines (and the third line moved on).
    edit(&fixture, "app.log.2", |data| data.truncate(80));
    let third = line((1, 0), 2);
    edit(&fixture, "app.log.1", |data| {
        data.splice(0..0, third.iter().copied());
    });
    let report = verify(&fixture.expect).unwrap();
    assert!(
        has_problem(&report, "app.log.2: 2 lines, where a full file holds 3"),
        "{report}"
    );
}

#[test]
fn counted_rotations_are_ignored_when_a_writer_was_killed() {
    let mut fixture = good_run();
    fixture.expect.rotations = Some(3);
    fixture.expect.killed = vec![1];
    edit(&fixture, "app.log.2", |data| data.truncate(80));
    let report = verify(&fixture.expect).unwrap();
    assert_eq!(report.pruned_lines, None);
    // The missing line is a hole in writer 1's lines, killed or not.
    assert_eq!(report.lost, 1, "{report}");
}

#[test]
fn a_duplicate_is_caught() {
    let fixture = good_run();
    let first_line = std::fs::read(fixture.dir.path().join("app.log.3")).unwrap()[..40].to_vec();
    edit(&fixture, "app.log", |data| {
        data.extend_from_slice(&first_line)
    });
    let report = verify(&fixture.expect).unwrap();
    assert_eq!(report.duplicated, 1, "{report}");
    assert_eq!(report.out_of_order, 1, "{report}");
}

#[test]
fn a_torn_line_is_caught() {
    let fixture = good_run();
    edit(&fixture, "app.log.1", |data| data[50] = b'#');
    let report = verify(&fixture.expect).unwrap();
    assert_eq!(report.torn, 1, "{report}");
    assert!(!report.ok());
}

/// Writer 1 killed after its line 3 (in `app.log.1`), inside the write of
/// its line 4: the live file, which held 1-4, 0-5 and 1-5, holds `torn`
/// and 0-5.
fn killed_inside_a_write(torn: &[u8]) -> Fixture {
    let mut fixture = good_run();
    fixture.expect.killed = vec![1];
    let mut live = torn.to_vec();
    live.extend(line((0, 0), 5));
    std::fs::write(fixture.dir.path().join("app.log"), live).unwrap();
    fixture
}

#[test]
fn a_killed_writer_may_leave_the_beginning_of_its_next_line() {
    let mut torn = line((1, 0), 4)[..25].to_vec();
    torn.push(b'\n');
    let fixture = killed_inside_a_write(&torn);
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!((report.torn, report.torn_by_kill), (0, 1));
    // Even a few bytes, too few to name the writer.
    let fixture = killed_inside_a_write(b"00\n");
    let report = verify(&fixture.expect).unwrap();
    assert_eq!((report.torn, report.torn_by_kill), (0, 1), "{report}");
}

#[test]
fn only_one_torn_line_per_killed_writer() {
    let mut torn = line((1, 0), 4)[..25].to_vec();
    torn.push(b'\n');
    let twice = [torn.clone(), torn].concat();
    let report = verify(&killed_inside_a_write(&twice).expect).unwrap();
    assert_eq!((report.torn, report.torn_by_kill), (1, 1), "{report}");
}

#[test]
fn a_torn_line_must_be_the_killed_writers_next_line_and_end_alone() {
    let cases: [(&str, Vec<u8>); 4] = [
        ("another number", [&line((1, 0), 5)[..25], b"\n"].concat()),
        (
            "a surviving writer",
            [&line((0, 0), 6)[..25], b"\n"].concat(),
        ),
        (
            "glued to the next record",
            [&line((1, 0), 4)[..25], &line((0, 0), 9)[..]].concat(),
        ),
        (
            "changed bytes",
            [b"0001-00 0000000004 x", &b"\n"[..]].concat(),
        ),
    ];
    for (case, torn) in cases {
        let report = verify(&killed_inside_a_write(&torn).expect).unwrap();
        assert_eq!(
            (report.torn, report.torn_by_kill),
            (1, 0),
            "{case}: {report}"
        );
        assert!(!report.ok(), "{case}");
    }
}

#[test]
fn a_torn_line_before_the_killed_writers_last_line_is_caught() {
    // The beginning of writer 1's line 4, but in app.log.2, before its
    // line 3 (in app.log.1): no kill leaves it there.
    let fixture = killed_inside_a_write(b"");
    let mut torn = line((1, 0), 4)[..25].to_vec();
    torn.push(b'\n');
    edit(&fixture, "app.log.2", |data| data.extend_from_slice(&torn));
    let report = verify(&fixture.expect).unwrap();
    assert_eq!((report.torn, report.torn_by_kill), (1, 0), "{report}");
}

#[test]
fn a_torn_line_without_its_newline_is_caught() {
    let fixture = killed_inside_a_write(b"");
    edit(&fixture, "app.log", |data| {
        data.extend_from_slice(&line((1, 0), 4)[..25])
    });
    let report = verify(&fixture.expect).unwrap();
    assert_eq!((report.torn, report.torn_by_kill), (1, 0), "{report}");
}

#[test]
fn without_a_kill_no_torn_line_is_excused() {
    let mut torn = line((1, 0), 6)[..25].to_vec();
    torn.push(b'\n');
    let fixture = good_run();
    edit(&fixture, "app.log", |data| data.extend_from_slice(&torn));
    let report = verify(&fixture.expect).unwrap();
    assert_eq!((report.torn, report.torn_by_kill), (1, 0), "{report}");
}

#[test]
fn an_oversize_file_is_caught() {
    let mut fixture = good_run();
    fixture.expect.max_bytes = 100;
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "over max_bytes"), "{report}");
    assert_eq!(report.oversize_files, 4, "{report}");
}

#[test]
fn a_record_larger_than_max_bytes_may_sit_alone_in_its_file() {
    let mut fixture = good_run();
    fixture.expect.max_bytes = 30;
    let dir = fixture.dir.path();
    for name in ["app.log.1", "app.log.2", "app.log.3"] {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    std::fs::write(dir.join("app.log"), line((0, 0), 0)).unwrap();
    fixture.expect.writers = [((0, 0), 1)].into();
    assert!(verify(&fixture.expect).unwrap().ok());
    edit(&fixture, "app.log", |data| data.extend(line((0, 0), 1)));
    fixture.expect.writers = [((0, 0), 2)].into();
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "over max_bytes"), "{report}");
}

#[test]
fn a_foreign_writer_may_overshoot_but_we_may_not() {
    let mut fixture = good_run();
    fixture.expect.max_bytes = 100; // files hold three 40-byte lines
    // Each file's third line goes past the limit: writer 0's in
    // app.log.3, writer 1's in app.log.2.
    fixture.expect.foreign = vec![0, 1];
    assert!(verify(&fixture.expect).unwrap().ok());
    fixture.expect.foreign = vec![0];
    let report = verify(&fixture.expect).unwrap();
    assert_eq!(report.problems.len(), 2, "{report}");
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.contains("a record of ours ends at byte 120")),
        "{report}"
    );
}

#[test]
fn a_gap_in_the_chain_is_caught() {
    let fixture = good_run();
    let dir = fixture.dir.path();
    std::fs::rename(dir.join("app.log.3"), dir.join("app.log.4")).unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "gap"), "{report}");
}

fn gzip(fixture: &Fixture, n: usize) {
    use std::io::Write;
    let plain = fixture.dir.path().join(format!("app.log.{n}"));
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    std::fs::write(
        plain.with_extension(format!("{n}.gz")),
        encoder.finish().unwrap(),
    )
    .unwrap();
    std::fs::remove_file(plain).unwrap();
}

#[test]
fn gzipped_backups_are_read_back() {
    let mut fixture = good_run();
    gzip(&fixture, 1);
    gzip(&fixture, 3);
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!((report.found, report.gzipped), (12, 2));
    fixture.expect.all_gzipped = true;
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "left plain"), "{report}");
}

#[test]
fn a_truncated_gz_is_caught() {
    let fixture = good_run();
    gzip(&fixture, 2);
    edit(&fixture, "app.log.2.gz", |data| {
        data.truncate(data.len() / 2)
    });
    let report = verify(&fixture.expect).unwrap();
    assert!(
        has_problem(&report, "cannot be read to its end"),
        "{report}"
    );
}

#[test]
fn a_number_both_plain_and_gzipped_is_caught() {
    let fixture = good_run();
    let plain = std::fs::read(fixture.dir.path().join("app.log.2")).unwrap();
    gzip(&fixture, 2);
    std::fs::write(fixture.dir.path().join("app.log.2"), plain).unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "both plain and gzipped"), "{report}");
}

#[test]
fn a_leftover_temporary_file_is_caught() {
    let fixture = good_run();
    let own = fixture.dir.path().join(OWN_DIR);
    std::fs::create_dir(&own).unwrap();
    std::fs::write(own.join("app.log.lock"), "").unwrap();
    std::fs::write(own.join("app.log.state"), "").unwrap();
    std::fs::write(fixture.dir.path().join(".__app.lock"), "").unwrap();
    assert!(verify(&fixture.expect).unwrap().ok());
    std::fs::write(own.join("app.log.123.gz.tmp"), "half").unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "unexpected file"), "{report}");
    assert!(has_problem(&report, "app.log.123.gz.tmp"), "{report}");
}

#[test]
fn any_other_file_beside_the_log_is_caught() {
    let fixture = good_run();
    std::fs::write(fixture.dir.path().join("app.log.rotate.x1y2"), "half").unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "unexpected file"), "{report}");
}

#[test]
fn too_many_backups_are_caught() {
    let mut fixture = good_run();
    fixture.expect.backups = 2;
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "more than"), "{report}");
}

/// `good_run` as a restart-proof log leaves it: `app.000001.log` (oldest)
/// to `app.000004.log` (live), `app.log` a second name of the live file.
fn good_restart_proof_run() -> Fixture {
    let fixture = good_run();
    let dir = fixture.dir.path();
    for (from, to) in [
        ("app.log.3", "app.000001.log"),
        ("app.log.2", "app.000002.log"),
        ("app.log.1", "app.000003.log"),
        ("app.log", "app.000004.log"),
    ] {
        std::fs::rename(dir.join(from), dir.join(to)).unwrap();
    }
    std::fs::hard_link(dir.join("app.000004.log"), dir.join("app.log")).unwrap();
    Fixture {
        expect: Expectation {
            restart_proof: true,
            ..fixture.expect
        },
        dir: fixture.dir,
    }
}

#[test]
fn a_correct_restart_proof_run_passes_read_in_number_order() {
    let fixture = good_restart_proof_run();
    let report = verify(&fixture.expect).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!((report.found, report.files, report.backups), (12, 4, 3));
}

#[test]
fn a_restart_proof_run_read_out_of_number_order_is_caught() {
    // Files 1 and 2 swapped: each writer's lines come out of order.
    let fixture = good_restart_proof_run();
    let dir = fixture.dir.path();
    std::fs::rename(dir.join("app.000001.log"), dir.join("x")).unwrap();
    std::fs::rename(dir.join("app.000002.log"), dir.join("app.000001.log")).unwrap();
    std::fs::rename(dir.join("x"), dir.join("app.000002.log")).unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(report.out_of_order > 0, "{report}");
}

#[test]
fn a_gap_in_the_restart_proof_numbers_is_caught() {
    let fixture = good_restart_proof_run();
    let dir = fixture.dir.path();
    std::fs::rename(dir.join("app.000002.log"), dir.join("app.000009.log")).unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(has_problem(&report, "gap in the file numbers"), "{report}");
}

#[test]
fn a_stable_name_that_is_not_the_live_file_is_caught() {
    let fixture = good_restart_proof_run();
    let dir = fixture.dir.path();
    std::fs::remove_file(dir.join("app.log")).unwrap();
    std::fs::hard_link(dir.join("app.000003.log"), dir.join("app.log")).unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(
        has_problem(&report, "is not a name of the live file"),
        "{report}"
    );
}

#[test]
fn a_gzipped_live_file_and_a_number_both_plain_and_gzipped_are_caught() {
    let fixture = good_restart_proof_run();
    let dir = fixture.dir.path();
    std::fs::write(dir.join("app.000004.log.gz"), "").unwrap();
    std::fs::write(dir.join("app.000005.log.gz"), "").unwrap();
    let report = verify(&fixture.expect).unwrap();
    assert!(
        has_problem(&report, "exists both plain and gzipped"),
        "{report}"
    );
    assert!(has_problem(&report, "is gzipped"), "{report}");
}

/// The good run's files renamed as another writer names them
/// (`other-<n>.txt`, oldest first), in that order.
fn renamed(fixture: &Fixture) -> Vec<PathBuf> {
    let dir = fixture.dir.path();
    ["app.log.3", "app.log.2", "app.log.1", "app.log"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let other = dir.join(format!("other-{i}.txt"));
            std::fs::rename(dir.join(name), &other).unwrap();
            other
        })
        .collect()
}

#[test]
fn another_writers_files_in_its_own_naming_pass_when_correct() {
    let fixture = good_run();
    let files = renamed(&fixture);
    let report = verify_files(&fixture.expect, &files).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!((report.found, report.files, report.backups), (12, 4, 3));
}

#[test]
fn another_writers_missing_oldest_file_is_lost_not_pruned() {
    // With as many backups as allowed, `verify` would take the oldest
    // lines for pruned; another writer's files are the whole log.
    let mut fixture = good_run();
    fixture.expect.backups = 2;
    let files = renamed(&fixture);
    let report = verify_files(&fixture.expect, &files[1..]).unwrap();
    assert!(!report.pruned, "{report}");
    assert_eq!(report.lost, 3, "{report}");
}

#[test]
fn another_writers_oversize_torn_and_duplicated_lines_are_counted() {
    let mut fixture = good_run();
    fixture.expect.max_bytes = 100;
    let files = renamed(&fixture);
    let mut newest = std::fs::read(&files[3]).unwrap();
    newest.extend_from_slice(&line((0, 0), 0));
    newest.extend_from_slice(b"0001-00 torn\n");
    std::fs::write(&files[3], newest).unwrap();
    let report = verify_files(&fixture.expect, &files).unwrap();
    assert_eq!(
        (report.oversize_files, report.duplicated, report.torn),
        (4, 1, 1),
        "{report}"
    );
}
