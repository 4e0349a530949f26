//! Nothing lost, nothing clobbered (issue 16), end to end with the tiny model:
//! where `-o` writes (symbolic links, devices, inputs, `-`, file modes),
//! `--resume` with repeated ids and after SIGKILL, odd inputs (FIFOs,
//! unreadable folders, CSV, JSON arrays, gzipped text, unknown endings),
//! `--threads 0`, `--strict` to standard output, the spreadsheet guard read
//! back by `evaluate`, and the model directory's messages.
//!
//! Tests that need root (a device node) or a user other than root (permission
//! bits) say so and skip when run otherwise; as root, the permission tests run
//! `cyberie` as user `nobody` with `setpriv`.

mod common;

use std::io::Write;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{arg, article, cyberie, cyberie_in, file_names, tiny_model, write, write_gz, Run};

/// Sentences the tiny model reads the same way in every run (one triple each).
const BOEING: &str = "Sandworm targeted Boeing in May 2023.";
const TOYOTA: &str = "Sandworm targeted Toyota in June 2023.";

/// `extract` with the tiny model, one thread, one window per batch.
fn extract(args: &[&str]) -> Run {
    let model = tiny_model();
    let mut all = vec!["extract", "--model", &model, "--threads", "1", "--batch-size", "1"];
    all.extend_from_slice(args);
    cyberie(&all)
}

/// A `cyberie` command with the tiny model's arguments prepended to `args`.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cyberie"));
    command
        .env("CYBERIE_PRECISION", "fp32")
        .args(["extract", "--model", &tiny_model(), "--threads", "1", "--batch-size", "1"])
        .args(args)
        .env_remove("CYBERIE_MODEL")
        .env("CYBERIE_PRECISION", "fp32")
        .stdin(Stdio::null());
    command
}

fn output(mut command: Command) -> Run {
    let out = command.stdout(Stdio::piped()).stderr(Stdio::piped()).output().expect("cyberie runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A command that runs `cyberie` as user `nobody` (when this test runs as root),
/// or `None`, with the reason printed, when that user cannot run it here (the
/// checkout, its libtorch or the tiny model not readable by others).
fn as_nobody() -> Option<Command> {
    let setpriv = |program: &str| {
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", program]);
        command
    };
    let quiet = |mut c: Command| c.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    let mut version = setpriv(env!("CARGO_BIN_EXE_cyberie"));
    version.arg("--version");
    let mut model = setpriv("test");
    model.args(["-r", &format!("{}/model.safetensors", tiny_model())]);
    if quiet(version) && quiet(model) {
        Some(setpriv(env!("CARGO_BIN_EXE_cyberie")))
    } else {
        eprintln!("skipped: user nobody cannot run {} with the tiny model here", env!("CARGO_BIN_EXE_cyberie"));
        None
    }
}

fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo {}", path.display());
}

fn jsonl(articles: &[(&str, &str)]) -> String {
    articles.iter().map(|(id, text)| article(id, None, None, text) + "\n").collect()
}

/// The doc_id and victim of each CSV row.
fn id_victim(csv: &str) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[3].to_string())).collect()
}

// ---- Output paths ----

/// Device nodes to try as outputs: as root, copies of /dev/full and /dev/null
/// made in `dir` (so that a cyberie that replaced its output, as the old one
/// did, replaces only those); otherwise the real ones, which a user other than
/// root could not replace anyway.
fn devices(dir: &Path) -> Vec<PathBuf> {
    if !is_root() {
        eprintln!("note: not root: trying /dev/full and /dev/null themselves");
        return vec![PathBuf::from("/dev/full"), PathBuf::from("/dev/null")];
    }
    [("full", 7), ("null", 3)]
        .iter()
        .map(|(name, minor)| {
            let path = dir.join(name);
            let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
            // SAFETY: a valid C string; the same device numbers as /dev/full and /dev/null.
            let made = unsafe { libc::mknod(c_path.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, *minor)) };
            assert_eq!(made, 0, "mknod {}", path.display());
            path
        })
        .collect()
}

#[test]
fn output_devices_other_than_stdout_and_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ok.txt", BOEING);
    for device in devices(dir.path()) {
        let run = extract(&[arg(&input), "-o", arg(&device)]);
        run.expect_code(2);
        assert!(run.stderr.contains("a character device") && run.stderr.contains("-o -"), "{}", run.stderr);
        let kind = std::fs::metadata(&device).unwrap().file_type();
        assert!(kind.is_char_device(), "{} is no longer a device node", device.display());
    }
    let run = extract(&[arg(&input), "-o", arg(dir.path())]);
    run.expect_code(2);
    assert!(run.stderr.contains("is a directory"), "{}", run.stderr);
}

#[test]
fn a_symbolic_link_output_writes_its_target_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ok.txt", BOEING);
    let real = write(dir.path(), "real/triples.csv", "old\n");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real/triples.csv", &link).unwrap();
    extract(&["-q", arg(&input), "-o", arg(&link)]).expect_code(0);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    let text = std::fs::read_to_string(&real).unwrap();
    assert_eq!(id_victim(&text), [("ok".to_string(), "Boeing in May 2023".to_string())], "{text}");
    assert_eq!(file_names(&dir.path().join("real")), ["triples.csv"]);
}

#[test]
fn an_output_that_is_an_input_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(dir.path(), "same.jsonl", jsonl(&[("a", BOEING)]));
    let before = std::fs::read(&same).unwrap();
    let run = extract(&[arg(&same), "-o", arg(&same), "--format", "jsonl"]);
    run.expect_code(2);
    assert!(run.stderr.contains("it is the input"), "{}", run.stderr);
    let alias = dir.path().join("alias.jsonl");
    std::os::unix::fs::symlink("same.jsonl", &alias).unwrap();
    extract(&[arg(&same), "-o", arg(&alias), "--format", "jsonl"]).expect_code(2);
    // A text file found in an input directory counts too.
    let folder = dir.path().join("folder");
    let text = write(&folder, "x.txt", BOEING);
    extract(&[arg(&folder), "-o", arg(&text)]).expect_code(2);
    assert_eq!(std::fs::read(&same).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&text).unwrap(), BOEING);
}

#[test]
fn dash_and_dev_stdout_are_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ok.txt", BOEING);
    let model = tiny_model();
    let args = ["extract", "--model", &model, "--threads", "1", "--batch-size", "1", "-q", arg(&input), "-o"];
    let dash = cyberie_in(Some(dir.path()), &[&args[..], &["-"]].concat(), None);
    dash.expect_code(0);
    assert_eq!(id_victim(&dash.stdout).len(), 1, "{}", dash.stdout);
    assert!(!dir.path().join("-").exists(), "a file named - was created");

    let dev = cyberie_in(Some(dir.path()), &[&args[..], &["/dev/stdout"]].concat(), None);
    dev.expect_code(0);
    assert_eq!(dev.stdout, dash.stdout);
    assert!(std::fs::symlink_metadata("/dev/stdout").unwrap().file_type().is_symlink());
    if is_root() {
        // As another user, where no temporary file can be made in /dev.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        if let Some(mut command) = as_nobody() {
            command
                .args(args)
                .arg("/dev/stdout")
                .env_remove("CYBERIE_MODEL")
                .env("CYBERIE_PRECISION", "fp32")
                .stdin(Stdio::null());
            let run = output(command);
            run.expect_code(0);
            assert_eq!(run.stdout, dash.stdout);
        }
    } else {
        eprintln!("note: not root, the run above already was as a user who cannot write /dev");
    }
}

#[test]
fn a_new_output_honours_the_umask_and_a_replaced_one_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ok.txt", BOEING);
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let run_with_umask = |umask: &str, out: &Path| {
        let model = tiny_model();
        let status = Command::new("sh")
            .args(["-c", &format!("umask {umask}; exec \"$@\""), "sh", env!("CARGO_BIN_EXE_cyberie")])
            .args(["extract", "--model", &model, "--threads", "1", "-q", arg(&input), "-o", arg(out)])
            .env_remove("CYBERIE_MODEL")
            .env("CYBERIE_PRECISION", "fp32")
            .status()
            .unwrap();
        assert!(status.success());
    };
    let new = dir.path().join("new.csv");
    run_with_umask("022", &new);
    assert_eq!(mode(&new), 0o644);
    let private = dir.path().join("private.csv");
    run_with_umask("077", &private);
    assert_eq!(mode(&private), 0o600);
    let shared = write(dir.path(), "shared.csv", "old");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o664)).unwrap();
    run_with_umask("077", &shared);
    assert_eq!(mode(&shared), 0o664, "the replaced file's mode is kept");
    assert_ne!(std::fs::read_to_string(&shared).unwrap(), "old");
}

// ---- Resume ----

#[test]
fn resume_keeps_documents_with_a_repeated_id_apart() {
    let dir = tempfile::tempdir().unwrap();
    let d1 = write(dir.path(), "d1.jsonl", jsonl(&[("a", BOEING)]));
    let d2 = write(dir.path(), "d2.jsonl", jsonl(&[("a", BOEING), ("a", TOYOTA)]));
    let plain = extract(&[arg(&d2)]);
    plain.expect_code(0);
    assert!(plain.stderr.contains("warning: document id \"a\" is used again"), "{}", plain.stderr);
    assert!(plain.stderr.contains("1 with a repeated id"), "{}", plain.stderr);
    let out = dir.path().join("out.csv");
    extract(&[arg(&d1), "-o", arg(&out), "--resume"]).expect_code(0);
    let run = extract(&[arg(&d2), "-o", arg(&out), "--resume"]);
    run.expect_code(0);
    assert!(run.stderr.contains("1 processed") && run.stderr.contains("1 already done"), "{}", run.stderr);
    assert!(run.stderr.contains("used again"), "warned in every run: {}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text, plain.stdout, "the Toyota row is lost or doubled");
    assert_eq!(id_victim(&text)[1], ("a".to_string(), "Toyota".to_string()));
}

#[test]
fn the_same_file_name_in_two_input_directories_is_two_documents_for_resume() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    write(&one, "a.txt", BOEING);
    write(&two, "a.txt", TOYOTA);
    let out = dir.path().join("out.csv");
    extract(&[arg(&one), "-o", arg(&out), "--resume"]).expect_code(0);
    let run = extract(&[arg(&one), arg(&two), "-o", arg(&out), "--resume"]);
    run.expect_code(0);
    assert!(run.stderr.contains("1 processed"), "{}", run.stderr);
    let victims: Vec<String> = id_victim(&std::fs::read_to_string(&out).unwrap()).into_iter().map(|r| r.1).collect();
    assert_eq!(victims, ["Boeing in May 2023", "Toyota"]);
}

/// Twenty thousand short articles, every third with a triple.
fn big_corpus(dir: &Path) -> PathBuf {
    let lines: String = (0..20_000)
        .map(|i| {
            let text = if i % 3 == 0 {
                format!("Report {i}. Sandworm targeted Ukraine in 2016, officials said on Monday.")
            } else {
                format!("Article {i} is quiet. Nothing happened in Springfield, officials said.")
            };
            article(&format!("doc{i:05}"), None, None, &text) + "\n"
        })
        .collect();
    write(dir, "big.jsonl", lines)
}

/// The committed documents of a checkpoint list.
fn committed(list: &Path) -> usize {
    let text = std::fs::read_to_string(list).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let last_commit = lines.iter().rposition(|l| l.contains("\"commit\"")).unwrap_or(0);
    lines[..last_commit].iter().filter(|l| l.contains("\"id\"")).count()
}

#[test]
fn a_resume_run_killed_with_sigkill_keeps_its_checkpointed_groups() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_corpus(dir.path());
    let reference = dir.path().join("reference.csv");
    let model = tiny_model();
    let base = ["extract", "--model", &model, "--threads", "1", arg(&input)];
    cyberie(&[&base[..], &["-o", arg(&reference)]].concat()).expect_code(0);

    let out = dir.path().join("out.csv");
    let list = dir.path().join("out.csv.done");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cyberie"))
        .args(base)
        .args(["-o", arg(&out), "--resume"])
        .env_remove("CYBERIE_MODEL")
        .env("CYBERIE_PRECISION", "fp32")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while committed(&list) == 0 {
        assert!(started.elapsed() < Duration::from_secs(120), "no group was checkpointed");
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it could be killed");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let kept = committed(&list);
    assert!((1..20_000).contains(&kept), "{kept} documents checkpointed");
    assert!(!out.exists(), "the output appears only when a run ends");

    let run = cyberie(&[&base[..], &["-o", arg(&out), "--resume"]].concat());
    run.expect_code(0);
    assert!(run.stderr.contains(&format!("{kept} already done")), "{}", run.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&reference).unwrap(), "not the uninterrupted run's file");
    let names = file_names(dir.path());
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
}

#[test]
fn sighup_stops_a_resume_run_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_corpus(dir.path());
    let out = dir.path().join("out.csv");
    let child = command(&[arg(&input), "-o", arg(&out), "--resume"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while committed(&dir.path().join("out.csv.done")) == 0 {
        assert!(started.elapsed() < Duration::from_secs(120), "no group was checkpointed");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by SIGHUP"), "{stderr}");
    assert!(out.exists());
}

// ---- Inputs ----

/// Runs `command` with a time limit; panics (after killing it) when it hangs.
fn within(mut command: Command, limit: Duration) -> Run {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("cyberie hung for {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_fifo_input_is_read_once_and_its_data_kept() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.jsonl");
    mkfifo(&fifo);
    let data = jsonl(&[("a", BOEING), ("b", TOYOTA)]);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            std::fs::OpenOptions::new().write(true).open(fifo).unwrap().write_all(data.as_bytes())
        })
    };
    let run = within(command(&[arg(&fifo)]), Duration::from_secs(60));
    writer.join().unwrap().unwrap();
    run.expect_code(0);
    assert_eq!(id_victim(&run.stdout).len(), 2, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn one_sigterm_stops_a_run_waiting_on_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.jsonl");
    mkfifo(&fifo);
    // A writer that opens the FIFO and sends nothing.
    let holder = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let file = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            std::thread::sleep(Duration::from_secs(20));
            drop(file);
        })
    };
    let out = dir.path().join("out.csv");
    let mut child =
        command(&[arg(&fifo), "-o", arg(&out)]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(child.try_wait().unwrap().is_none());
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "one SIGTERM did not stop the run");
        std::thread::sleep(Duration::from_millis(20));
    }
    let result = child.wait_with_output().unwrap();
    assert_eq!(result.status.code(), Some(130), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(!out.exists());
    drop(holder); // detached: it ends on its own
}

#[test]
fn a_fifo_inside_an_input_directory_is_a_skipped_input() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("news");
    write(&folder, "a.txt", BOEING);
    mkfifo(&folder.join("b.txt"));
    let run = within(command(&[arg(&folder)]), Duration::from_secs(60));
    run.expect_code(3);
    assert!(run.stderr.contains("b.txt: a FIFO, not a regular file"), "{}", run.stderr);
    assert_eq!(id_victim(&run.stdout).len(), 1);
}

#[test]
fn unreadable_subdirectories_and_files_are_each_one_skipped_input() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("news");
    write(&folder, "a.txt", BOEING);
    write(&folder, "locked/b.txt", TOYOTA);
    let secret = write(&folder, "secret.txt", TOYOTA);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(folder.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let model = tiny_model();
    let args = ["extract", "--model", &model, "--threads", "1", "--batch-size", "1", arg(&folder)];
    let mut command = if is_root() {
        // Root reads everything: run as nobody, or skip.
        match as_nobody() {
            Some(command) => command,
            None => return,
        }
    } else {
        Command::new(env!("CARGO_BIN_EXE_cyberie"))
    };
    command.args(args).env_remove("CYBERIE_MODEL").env("CYBERIE_PRECISION", "fp32").stdin(Stdio::null());
    let run = output(command);
    std::fs::set_permissions(folder.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    run.expect_code(3);
    assert!(run.stderr.contains("locked: cannot read the directory: Permission denied"), "{}", run.stderr);
    assert!(run.stderr.contains("secret.txt (secret): cannot read: Permission denied"), "{}", run.stderr);
    assert_eq!(id_victim(&run.stdout), [("a".to_string(), "Boeing in May 2023".to_string())]);
}

#[test]
fn threads_zero_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ok.txt", BOEING);
    let run = cyberie(&["extract", "--model", &tiny_model(), "--threads", "0", arg(&input)]);
    run.expect_code(2);
    assert!(run.stderr.contains("--threads") && run.stderr.contains("at least 1"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn strict_to_stdout_does_not_claim_that_nothing_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "news.jsonl", jsonl(&[("a", BOEING)]) + "{\"id\": \"b\"}\n");
    let run = extract(&["--strict", arg(&input)]);
    run.expect_code(1);
    assert_eq!(id_victim(&run.stdout).len(), 1, "{}", run.stdout);
    assert!(!run.stderr.contains("no output written"), "{}", run.stderr);
    assert!(run.stderr.contains("went to standard output"), "{}", run.stderr);
}

#[test]
fn csv_json_array_and_gzipped_text_read_as_the_same_articles_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let articles =
        [("r1", format!("{BOEING} The plane maker, based in Arlington, said so.")), ("r2", TOYOTA.to_string())];
    let lines: Vec<(&str, &str)> = articles.iter().map(|(id, text)| (*id, text.as_str())).collect();
    let reference = extract(&[arg(&write(dir.path(), "ref.jsonl", jsonl(&lines)))]);
    reference.expect_code(0);
    assert_eq!(id_victim(&reference.stdout).len(), 2, "{}", reference.stdout);

    let mut table = csv::Writer::from_writer(Vec::new());
    table.write_record(["ID", "title", "text", "date"]).unwrap();
    for (id, text) in &articles {
        table.write_record([id, "A title, with a comma", text, ""]).unwrap();
    }
    let table = write(dir.path(), "news.csv", table.into_inner().unwrap());
    let array: Vec<serde_json::Value> =
        articles.iter().map(|(id, text)| serde_json::json!({"id": id, "text": text})).collect();
    let array = write(dir.path(), "news.json", serde_json::to_string_pretty(&array).unwrap());
    for input in [&table, &array] {
        let run = extract(&[arg(input)]);
        run.expect_code(0);
        assert_eq!(run.stdout, reference.stdout, "{}", input.display());
    }
    let gz = write_gz(dir.path(), "r2.txt.gz", TOYOTA);
    let run = extract(&[arg(&gz)]);
    run.expect_code(0);
    assert_eq!(id_victim(&run.stdout), [("r2".to_string(), "Toyota".to_string())]);
}

#[test]
fn feeds_and_unknown_endings_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let feed = write(dir.path(), "feed.xml", "<rss><item><title>Sandworm targeted Ukraine</title></item></rss>");
    let run = extract(&[arg(&feed)]);
    run.expect_code(2);
    assert!(run.stderr.contains("RSS or Atom") && run.stderr.contains("JSON Lines"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let notes = write(dir.path(), "notes.md", BOEING);
    let run = extract(&[arg(&notes)]);
    run.expect_code(2);
    assert!(run.stderr.contains("rename it to .txt"), "{}", run.stderr);
}

// ---- evaluate reads extract's guarded CSV back ----

#[test]
fn an_injected_id_round_trips_through_extract_and_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    let id = "=HYPERLINK(\"http://x\")";
    let input = write(dir.path(), "news.jsonl", jsonl(&[(id, "Sandworm targeted Ukraine in 2016.")]));
    let out = dir.path().join("out.csv");
    extract(&["-q", arg(&input), "-o", arg(&out)]).expect_code(0);
    assert!(std::fs::read_to_string(&out).unwrap().contains("'=HYPERLINK"), "the guard is written");
    let gold = serde_json::json!({"doc_id": id, "attackers": ["Sandworm"], "victims": ["Ukraine"], "times": ["2016"]});
    let gold = write(dir.path(), "gold.jsonl", gold.to_string() + "\n");
    let run = cyberie(&["evaluate", "--json", "--bootstrap", "0", "--gold", arg(&gold), "--pred", arg(&out)]);
    run.expect_code(0);
    let scores: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(scores["all"]["pair"]["found_gold"], 1, "{}", run.stdout);
    assert_eq!(scores["documents"], 1, "the guarded id is a document of its own: {}", run.stdout);
}

// ---- Model directory messages ----

#[test]
fn model_directory_messages_name_cyberie_model_and_tell_loops_and_empty_values_apart() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "ok.txt", BOEING);
    let run_env = |value: &str, model_flag: Option<&Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cyberie"));
        command.arg("extract");
        if let Some(model) = model_flag {
            command.args(["--model", arg(model)]);
        }
        output({
            command.arg(arg(&input)).env("CYBERIE_MODEL", value).stdin(Stdio::null());
            command
        })
    };
    let missing = dir.path().join("no-model");
    let run = run_env(arg(&missing), None);
    run.expect_code(2);
    assert!(run.stderr.contains("does not exist") && run.stderr.contains("$CYBERIE_MODEL"), "{}", run.stderr);
    let run = run_env("", None);
    run.expect_code(2);
    assert!(run.stderr.contains("$CYBERIE_MODEL is set but empty"), "{}", run.stderr);
    let looped = dir.path().join("loop");
    std::os::unix::fs::symlink("loop", &looped).unwrap();
    let run = run_env(arg(&looped), None);
    run.expect_code(2);
    assert!(run.stderr.contains("a loop of symbolic links"), "{}", run.stderr);
    // With --model, $CYBERIE_MODEL is not blamed.
    let run = run_env("", Some(&missing));
    run.expect_code(2);
    assert!(run.stderr.contains("does not exist") && !run.stderr.contains("CYBERIE_MODEL"), "{}", run.stderr);
}
