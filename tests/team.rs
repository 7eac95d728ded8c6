//! Team membership from the CLI: several people simulated on one machine, each with their own
//! config dir (device) and passphrase, sharing one vault file.

mod common;

use common::{db_exec, Vault};

/// The fingerprint printed after `label` on a line of `text`.
fn fingerprint_after(text: &str, label: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no {label:?} in {text}"));
    line.rsplit(' ').next().expect("fingerprint").trim().to_owned()
}

fn roster(v: &Vault, who: Option<&str>) -> serde_json::Value {
    let out = match who {
        Some(who) => v.person_ok(who, &["member", "ls", "--json"]).0,
        None => v.ok(&["member", "ls", "--json"]),
    };
    serde_json::from_str(&out).expect("member ls --json")
}

fn entry<'a>(roster: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    roster
        .as_array()
        .expect("array")
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {roster}"))
}

#[test]
fn a_joiner_is_pending_until_admitted_and_both_sides_see_the_same_fingerprints() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev", "--env", "prod"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", "sk-proj-TeamTest000000000000000000");

    let (recovery, joined) = v.person_ok("alice", &["member", "join", "--name", "alice"]);
    assert!(recovery.trim().starts_with("KSR1-"), "{recovery}");
    let alice_fp = fingerprint_after(&joined, "your key fingerprint:");
    let owner_fp = fingerprint_after(&joined, "owner ada's fingerprint:");

    let before = roster(&v, None);
    assert_eq!(entry(&before, "alice")["status"], "pending");
    assert_eq!(entry(&before, "alice")["trusted"], false);
    assert_eq!(entry(&before, "ada")["fingerprint"], owner_fp.as_str());

    // Pending: no access to anything, and no say over others.
    let err = v.person_fail("alice", &["get", "llm-eval/dev/OPENAI_API_KEY"]);
    assert!(err.contains("no access to llm-eval/dev"), "{err}");
    let err = v.person_fail("alice", &["member", "approve", "alice"]);
    assert!(err.contains("cannot admit alice"), "{err}");

    let (_, admitted) = v.ok_with_stderr(&["member", "approve", "alice"]);
    assert_eq!(fingerprint_after(&admitted, "alice's key fingerprint:"), alice_fp);

    for who in [None, Some("alice")] {
        let after = roster(&v, who);
        assert_eq!(entry(&after, "alice")["status"], "active");
        assert_eq!(entry(&after, "alice")["trusted"], true, "{after}");
        assert_eq!(entry(&after, "ada")["trusted"], true, "{after}");
        assert_eq!(entry(&after, "alice")["fingerprint"], alice_fp.as_str());
    }
    // Admitted is not granted: scopes still need an approved access request.
    let err = v.person_fail("alice", &["get", "llm-eval/dev/OPENAI_API_KEY"]);
    assert!(err.contains("no access to llm-eval/dev"), "{err}");
    let audit = v.ok(&["audit", "ls", "--json"]);
    assert!(
        audit.contains("member.join") && audit.contains("member.admit"),
        "{audit}"
    );
}

#[test]
fn leads_admit_members_but_not_leads_and_nobody_admits_themselves() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    for who in ["bob", "carol", "dave"] {
        v.person_ok(who, &["member", "join", "--name", who]);
    }
    let err = v.fail(&["member", "approve", "bob", "--role", "lead", "--lead-of", "nope"]);
    assert!(err.contains("no project named \"nope\""), "{err}");
    let err = v.fail(&["member", "approve", "bob", "--lead-of", "llm-eval"]);
    assert!(err.contains("--lead-of needs --role lead"), "{err}");
    v.ok(&["member", "approve", "bob", "--role", "lead", "--lead-of", "llm-eval"]);
    assert_eq!(entry(&roster(&v, None), "bob")["lead_of"][0], "llm-eval");

    v.person_ok("bob", &["member", "approve", "carol"]);
    let err = v.person_fail(
        "bob",
        &["member", "approve", "dave", "--role", "lead", "--lead-of", "llm-eval"],
    );
    assert!(err.contains("a lead admits pending members as members"), "{err}");
    let err = v.person_fail("bob", &["member", "approve", "bob"]);
    assert!(err.contains("nobody admits themselves"), "{err}");
    let err = v.person_fail("carol", &["member", "approve", "dave"]);
    assert!(err.contains("only the owner or a lead admits members"), "{err}");

    // Trust reaches carol through bob's admission, seen from carol's own device too.
    let seen = roster(&v, Some("carol"));
    assert_eq!(entry(&seen, "carol")["trusted"], true, "{seen}");
    assert_eq!(entry(&seen, "dave")["trusted"], false);

    let err = v.person_fail("eve", &["member", "join", "--name", "carol"]);
    assert!(err.contains("a member named \"carol\" already exists"), "{err}");
    let err = v.person_fail("carol", &["member", "join", "--name", "carol2"]);
    assert!(err.contains("this device is already carol"), "{err}");
}

#[test]
fn rows_changed_in_the_file_are_not_trusted() {
    let v = Vault::init();
    v.person_ok("alice", &["member", "join", "--name", "alice"]);
    v.ok(&["member", "approve", "alice"]);

    // Promoting oneself in the file breaks the admission signature.
    db_exec(
        &v.db(),
        "UPDATE members SET role = 'lead', lead_of = 'llm-eval' WHERE name = 'alice'",
    );
    let (out, warned) = v.ok_with_stderr(&["member", "ls", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(entry(&listed, "alice")["trusted"], false);
    assert!(
        warned.contains("member alice is not trusted: admission signature does not verify"),
        "{warned}"
    );

    // A member added by hand, "admitted" by the owner with a made-up signature.
    db_exec(
        &v.db(),
        "INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at, approved_by, approved_at, approval_signature)
         SELECT 'mallory', 'mallory', 'lead', 'active', zeroblob(32), zeroblob(32), x'00', x'00', 0, id, 0, zeroblob(64)
         FROM members WHERE name = 'ada'",
    );
    assert_eq!(entry(&roster(&v, None), "mallory")["trusted"], false);

    // An owner key swapped in the file is caught by a device that pinned the real one.
    db_exec(
        &v.db(),
        "UPDATE members SET signing_public = zeroblob(32) WHERE name = 'ada'",
    );
    let seen = roster(&v, Some("alice"));
    assert_eq!(entry(&seen, "ada")["trusted"], false);
    assert_eq!(
        entry(&seen, "ada")["problem"],
        "owner key differs from the one this device pinned"
    );
}
