//! Team membership from the CLI: several people simulated on one machine, each with their own
//! config dir (device) and passphrase, sharing one vault (file or database).

mod common;

use common::{blob, db_exec, db_query_i64, zero_blob, Vault};

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
    let err = v.person_fail(
        "alice",
        &["member", "approve", "alice", "--fingerprint", &v.fingerprint("alice")],
    );
    assert!(err.contains("cannot admit alice"), "{err}");

    // The admission is bound to the fingerprint alice showed: another one is refused.
    let err = v.fail(&[
        "member",
        "approve",
        "alice",
        "--fingerprint",
        "0000:0000:0000:0000:0000",
    ]);
    assert!(err.contains("does not match alice's keys"), "{err}");
    let (_, admitted) = v.ok_with_stderr(&["member", "approve", "alice", "--fingerprint", &alice_fp]);
    assert!(admitted.contains(&format!("key fingerprint {alice_fp}")), "{admitted}");

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
    let err = v.fail(&[
        "member",
        "approve",
        "bob",
        "--fingerprint",
        &v.fingerprint("bob"),
        "--role",
        "lead",
        "--lead-of",
        "nope",
    ]);
    assert!(err.contains("no project named \"nope\""), "{err}");
    let err = v.fail(&[
        "member",
        "approve",
        "bob",
        "--fingerprint",
        &v.fingerprint("bob"),
        "--lead-of",
        "llm-eval",
    ]);
    assert!(err.contains("--lead-of needs --role lead"), "{err}");
    v.approve_lead("bob", "llm-eval");
    assert_eq!(entry(&roster(&v, None), "bob")["lead_of"][0], "llm-eval");

    v.person_ok(
        "bob",
        &["member", "approve", "carol", "--fingerprint", &v.fingerprint("carol")],
    );
    let err = v.person_fail(
        "bob",
        &[
            "member",
            "approve",
            "dave",
            "--fingerprint",
            &v.fingerprint("dave"),
            "--role",
            "lead",
            "--lead-of",
            "llm-eval",
        ],
    );
    assert!(err.contains("a lead admits pending members as members"), "{err}");
    let err = v.person_fail(
        "bob",
        &["member", "approve", "bob", "--fingerprint", &v.fingerprint("bob")],
    );
    assert!(err.contains("nobody admits themselves"), "{err}");
    let err = v.person_fail(
        "carol",
        &["member", "approve", "dave", "--fingerprint", &v.fingerprint("dave")],
    );
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
    v.ok(&["member", "approve", "alice", "--fingerprint", &v.fingerprint("alice")]);

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
        &format!(
            "INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at, approved_by, approved_at, approval_signature)
             SELECT 'mallory', 'mallory', 'lead', 'active', {key}, {key}, {byte}, {byte}, 0, id, 0, {signature}
             FROM members WHERE name = 'ada'",
            key = zero_blob(32),
            byte = blob("00"),
            signature = zero_blob(64),
        ),
    );
    assert_eq!(entry(&roster(&v, None), "mallory")["trusted"], false);

    // An owner key swapped in the file is caught by a device that pinned the real one.
    db_exec(
        &v.db(),
        &format!(
            "UPDATE members SET signing_public = {} WHERE name = 'ada'",
            zero_blob(32)
        ),
    );
    let seen = roster(&v, Some("alice"));
    assert_eq!(entry(&seen, "ada")["trusted"], false);
    assert_eq!(
        entry(&seen, "ada")["problem"],
        "owner key differs from the one this device pinned"
    );
}

fn requests(v: &Vault, who: Option<&str>) -> serde_json::Value {
    let out = match who {
        Some(who) => v.person_ok(who, &["access", "ls", "--json"]).0,
        None => v.ok(&["access", "ls", "--json"]),
    };
    serde_json::from_str(&out).expect("access ls --json")
}

fn request_id(stdout: &str) -> String {
    let id = stdout.trim().to_owned();
    assert_eq!(id.len(), 8, "a request id on stdout: {stdout:?}");
    id
}

/// The team of the issue: ada owns the vault, bob leads llm-eval, alice and carol are members.
fn team() -> Vault {
    let v = Vault::init();
    v.ok(&[
        "project", "add", "llm-eval", "--env", "dev", "--env", "staging", "--env", "prod",
    ]);
    v.set("llm-eval/prod/OPENAI_API_KEY", "sk-proj-ProdOnly0000000000000000");
    v.set("llm-eval/staging/OPENAI_API_KEY", "sk-proj-Staging00000000000000000");
    for who in ["bob", "alice", "carol"] {
        v.person_ok(who, &["member", "join", "--name", who]);
    }
    v.approve_lead("bob", "llm-eval");
    v.ok(&["member", "approve", "alice", "--fingerprint", &v.fingerprint("alice")]);
    v.ok(&["member", "approve", "carol", "--fingerprint", &v.fingerprint("carol")]);
    // A lead approves only what they hold: bob gets prod and staging from ada first.
    for scope in ["llm-eval/prod", "llm-eval/staging"] {
        let id = request_id(
            &v.person_ok("bob", &["access", "request", scope, "--reason", "leading the eval"])
                .0,
        );
        v.ok(&["access", "approve", &id]);
    }
    v
}

#[test]
fn a_lead_approves_a_time_limited_request_and_it_opens_that_scope_only() {
    let v = team();
    let (out, said) = v.person_ok(
        "alice",
        &[
            "access",
            "request",
            "llm-eval/prod",
            "--reason",
            "eval run #42",
            "--for",
            "7d",
        ],
    );
    let id = request_id(&out);
    assert!(said.contains("Requested llm-eval/prod (1w)"), "{said}");
    let err = v.person_fail("alice", &["access", "request", "llm-eval/prod", "--reason", "again"]);
    assert!(err.contains(&format!("your request {id} is still waiting")), "{err}");

    let err = v.person_fail("alice", &["access", "approve", &id]);
    assert!(err.contains("nobody decides their own request"), "{err}");
    let err = v.person_fail("carol", &["access", "approve", &id]);
    assert!(
        err.contains("only the owner or a lead of llm-eval decides access to llm-eval/prod"),
        "{err}"
    );

    let pending = requests(&v, Some("bob"));
    let listed = pending
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed");
    assert_eq!(
        (listed["member"].as_str(), listed["verified"].as_bool()),
        (Some("alice"), Some(true))
    );
    assert_eq!(listed["duration_secs"], 7 * 86_400);

    let (_, said) = v.person_ok("bob", &["access", "approve", &id, "--for", "1h"]);
    assert!(said.contains("Approved: alice can read llm-eval/prod until"), "{said}");
    assert_eq!(
        v.person_ok("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"]).0,
        "sk-proj-ProdOnly0000000000000000"
    );
    let err = v.person_fail("alice", &["get", "llm-eval/staging/OPENAI_API_KEY"]);
    assert!(err.contains("no access to llm-eval/staging"), "{err}");

    let decided = requests(&v, None);
    let approved = decided
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decided_by"], "bob");
    let expires = approved["expires_at"].as_i64().expect("expiry");
    let decided_at = approved["decided_at"].as_i64().expect("decided");
    assert_eq!(expires - decided_at, 3600, "--for 1h overrides the 7d asked for");
}

#[test]
fn denials_carry_a_reason_and_forged_requests_are_refused() {
    let v = team();
    let id = request_id(
        &v.person_ok(
            "alice",
            &["access", "request", "llm-eval/staging", "--reason", "debugging"],
        )
        .0,
    );
    let err = v.person_fail("bob", &["access", "deny", &id, "--reason", " "]);
    assert!(err.contains("the reason is empty"), "{err}");
    v.person_ok("bob", &["access", "deny", &id, "--reason", "use dev for debugging"]);
    let err = v.person_fail("bob", &["access", "approve", &id]);
    assert!(err.contains("it was already denied"), "{err}");
    let listed = requests(&v, Some("alice"));
    let denied = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed");
    assert_eq!(
        (denied["status"].as_str(), denied["decision_note"].as_str()),
        (Some("denied"), Some("use dev for debugging"))
    );
    assert!(v
        .person_fail("alice", &["get", "llm-eval/staging/OPENAI_API_KEY"])
        .contains("no access"));

    // Someone edits a pending request in the file: every device sees it fail, nobody approves it.
    let id = request_id(
        &v.person_ok(
            "alice",
            &["access", "request", "llm-eval/prod", "--reason", "1 day", "--for", "1d"],
        )
        .0,
    );
    db_exec(
        &v.db(),
        &format!("UPDATE access_requests SET duration_secs = NULL WHERE id = '{id}'"),
    );
    let (_, warned) = v.ok_with_stderr(&["access", "ls", "--pending"]);
    assert!(
        warned.contains(&format!(
            "access request {id} failed verification: the request's signature does not verify"
        )),
        "{warned}"
    );
    let err = v.person_fail("bob", &["access", "approve", &id]);
    assert!(
        err.contains(&format!("access request {id} failed verification")),
        "{err}"
    );
    assert!(v
        .person_fail("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"])
        .contains("no access"));

    // An approval forged in the file (status flipped, no grant) opens nothing either.
    db_exec(
        &v.db(),
        &format!("UPDATE access_requests SET status = 'approved', decided_by = (SELECT id FROM members WHERE name = 'bob') WHERE id = '{id}'"),
    );
    assert!(v
        .person_fail("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"])
        .contains("no access"));
}

#[test]
fn revoking_rekeys_the_scope_and_flags_what_was_read() {
    let v = team();
    let id = request_id(
        &v.person_ok("alice", &["access", "request", "llm-eval/prod", "--reason", "eval"])
            .0,
    );
    v.person_ok("bob", &["access", "approve", &id]);
    v.person_ok("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"]);
    v.set("llm-eval/prod/HF_TOKEN", "hf_NotReadByAlice000000000000");
    let epoch_before = common::db_query_i64(
        &v.db(),
        "SELECT key_epoch FROM scopes s JOIN environments e ON e.id = s.environment_id WHERE e.name = 'prod'",
    );

    let err = v.person_fail("carol", &["access", "revoke", "alice", "llm-eval/prod"]);
    assert!(
        err.contains("only the owner or a lead of llm-eval revokes access"),
        "{err}"
    );
    let (_, said) = v.person_ok("bob", &["access", "revoke", "alice", "llm-eval/prod"]);
    assert!(said.contains("Revoked alice's access to llm-eval/prod"), "{said}");
    assert!(said.contains("kept by ada, bob"), "{said}");
    assert!(said.contains("alice read OPENAI_API_KEY: flagged exposed"), "{said}");
    let epoch_after = common::db_query_i64(
        &v.db(),
        "SELECT key_epoch FROM scopes s JOIN environments e ON e.id = s.environment_id WHERE e.name = 'prod'",
    );
    assert_eq!(epoch_after, epoch_before + 1);

    let err = v.person_fail("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"]);
    assert!(err.contains("no access to llm-eval/prod"), "{err}");
    // Those who keep access read on, under the new key.
    assert_eq!(
        v.get("llm-eval/prod/OPENAI_API_KEY"),
        b"sk-proj-ProdOnly0000000000000000"
    );
    assert_eq!(
        v.person_ok("bob", &["get", "llm-eval/prod/HF_TOKEN"]).0,
        "hf_NotReadByAlice000000000000"
    );

    let listed: serde_json::Value = serde_json::from_str(&v.ok(&["ls", "llm-eval/prod", "--json"])).expect("json");
    let by_name = |name: &str| {
        listed
            .as_array()
            .expect("array")
            .iter()
            .find(|s| s["name"] == name)
            .expect("listed")
            .clone()
    };
    assert_eq!(
        by_name("OPENAI_API_KEY")["exposed_reason"],
        "read by alice before their access to llm-eval/prod ended"
    );
    assert!(by_name("HF_TOKEN")["exposed_at"].is_null());
    assert!(v.ok(&["ls", "llm-eval/prod"]).contains("EXPOSED: rotate"));
    let err = v.person_fail("bob", &["access", "revoke", "alice", "llm-eval/prod"]);
    assert!(err.contains("alice has no access to llm-eval/prod"), "{err}");
}

#[test]
fn an_expired_grant_is_refused_then_rekeyed_away_at_the_next_lead_unlock() {
    let v = team();
    let id = request_id(
        &v.person_ok(
            "alice",
            &[
                "access",
                "request",
                "llm-eval/prod",
                "--reason",
                "one run",
                "--for",
                "1h",
            ],
        )
        .0,
    );
    v.person_ok("bob", &["access", "approve", &id]);
    v.person_ok("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"]);
    let epoch = "SELECT key_epoch FROM scopes s JOIN environments e ON e.id = s.environment_id WHERE e.name = 'prod'";
    let before = common::db_query_i64(&v.db(), epoch);

    // Two hours later (debug builds read KEYSHELF_CLOCK_OFFSET_SECS): the client refuses alice...
    let later = |mut cmd: std::process::Command| {
        cmd.env("KEYSHELF_CLOCK_OFFSET_SECS", "7200");
        cmd.output().expect("run")
    };
    let out = later(v.person_cmd("alice", &["get", "llm-eval/prod/OPENAI_API_KEY"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no access to llm-eval/prod"));
    assert_eq!(
        common::db_query_i64(&v.db(), epoch),
        before,
        "no rekey until a lead unlocks"
    );

    // ...and the next lead unlock rekeys the scope without her.
    let out = later(v.person_cmd("bob", &["get", "llm-eval/staging/OPENAI_API_KEY"]));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("alice's access to llm-eval/prod expired: rekeyed (1 versions); flagged exposed: OPENAI_API_KEY"),
        "{said}"
    );
    assert_eq!(common::db_query_i64(&v.db(), epoch), before + 1);
    let out = later(v.person_cmd("bob", &["get", "llm-eval/prod/OPENAI_API_KEY"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "sk-proj-ProdOnly0000000000000000");
    // Once is enough: the next unlock finds nothing to do.
    let out = later(v.person_cmd("bob", &["get", "llm-eval/staging/OPENAI_API_KEY"]));
    assert!(out.status.success() && !String::from_utf8_lossy(&out.stderr).contains("expired"));
}

#[test]
fn removing_a_member_rekeys_every_scope_they_could_open() {
    let v = team();
    for scope in ["llm-eval/prod", "llm-eval/staging"] {
        let id = request_id(
            &v.person_ok("alice", &["access", "request", scope, "--reason", "eval"])
                .0,
        );
        v.person_ok("bob", &["access", "approve", &id]);
    }
    v.person_ok("alice", &["get", "llm-eval/staging/OPENAI_API_KEY"]);
    let err = v.person_fail("bob", &["member", "remove", "alice"]);
    assert!(err.contains("only the owner removes members"), "{err}");
    let (_, said) = v.ok_with_stderr(&["member", "remove", "alice"]);
    assert!(
        said.contains("llm-eval/prod: rekeyed") && said.contains("llm-eval/staging: rekeyed"),
        "{said}"
    );
    assert!(
        said.contains("flagged exposed (rotate at the provider): OPENAI_API_KEY"),
        "{said}"
    );
    for scope in ["prod", "staging"] {
        let err = v.person_fail("alice", &["get", &format!("llm-eval/{scope}/OPENAI_API_KEY")]);
        assert!(err.contains("you were removed from vault"), "{err}");
    }
    let listed = roster(&v, None);
    assert_eq!(entry(&listed, "alice")["status"], "removed");
    assert_eq!(entry(&listed, "alice")["trusted"], false);
}

/// Attack: alice, about to be removed, can write the vault: she spoils her own admission, marks
/// her row removed in the file (freeing her name) and adds a decoy row named alice, hoping the
/// owner's removal lands on the decoy and her grants stay. Acting on the name is refused while
/// two rows hold it, and removing alice removes both, her grants rekeyed away.
#[test]
fn a_decoy_row_beside_a_member_does_not_take_her_removal() {
    let v = team();
    let id = request_id(
        &v.person_ok("alice", &["access", "request", "llm-eval/prod", "--reason", "eval"])
            .0,
    );
    v.person_ok("bob", &["access", "approve", &id]);
    db_exec(
        &v.db(),
        &format!(
            "UPDATE members SET approval_signature = {sig}, status = 'removed' WHERE name = 'alice';
             INSERT INTO members (id, name, role, status, sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at, lead_of)
             SELECT 'decoy', 'alice', 'member', 'active', sealing_public, signing_public, identity_nonce, identity_ciphertext, created_at - 1, ''
             FROM members WHERE name = 'alice';",
            sig = zero_blob(64)
        ),
    );
    let err = v.fail(&["access", "revoke", "alice", "llm-eval/prod"]);
    assert!(err.contains("two current members are named alice"), "{err}");

    let (_, said) = v.ok_with_stderr(&["member", "remove", "alice"]);
    assert!(said.contains("llm-eval/prod: rekeyed"), "{said}");
    let current_grants =
        "SELECT COUNT(*) FROM grants g JOIN scopes s ON s.id = g.scope_id AND s.key_epoch = g.key_epoch
         JOIN members m ON m.id = g.member_id WHERE m.name = 'alice'";
    assert_eq!(db_query_i64(&v.db(), current_grants), 0, "alice holds no current key");
    let removals = "SELECT COUNT(*) FROM removals r JOIN members m ON m.id = r.member_id WHERE m.name = 'alice'";
    assert_eq!(db_query_i64(&v.db(), removals), 2, "both rows removed, each signed");
    let listed = roster(&v, None);
    assert!(
        listed
            .as_array()
            .expect("array")
            .iter()
            .filter(|m| m["name"] == "alice")
            .all(|m| m["status"] == "removed"),
        "{listed}"
    );
    let err = v.fail(&["member", "remove", "alice"]);
    assert!(err.contains("already removed"), "{err}");
}

#[test]
fn audit_verify_refuses_entries_by_a_member_nobody_admitted() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    // A pending member's own "join" entry is theirs to sign.
    let (recovery, _) = v.person_ok("alice", &["member", "join", "--name", "alice"]);
    let intact = v.ok(&["audit", "verify"]);
    assert!(intact.contains("each by a member this device trusts"), "{intact}");

    // Someone with the file makes alice a lead without any admission, and she acts as one: the
    // chain stays well-formed, but nobody the owner trusts vouches for her.
    db_exec(
        &v.db(),
        "UPDATE members SET status = 'active', role = 'lead', lead_of = 'llm-eval' WHERE name = 'alice'",
    );
    // The role column decides nothing: she cannot act as a lead...
    let err = v.person_fail("alice", &["project", "add", "shadow"]);
    assert!(err.contains("only owners and leads"), "{err}");
    // ...and what she can sign (her own passphrase change) is vouched for by nobody.
    let out = v
        .person_cmd("alice", &["unlock", "--recovery"])
        .env("KEYSHELF_RECOVERY_KEY", recovery.trim())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = v.fail(&["audit", "verify"]);
    assert!(
        err.contains("member.passphrase") && err.contains("signed by alice") && err.contains("no admission"),
        "{err}"
    );
}

#[test]
fn a_device_that_is_no_member_lists_names_as_the_file_holds_them() {
    let v = Vault::init();
    v.ok(&["project", "add", "llm-eval", "--env", "dev"]);
    v.set("llm-eval/dev/OPENAI_API_KEY", "sk-proj-NamesAreMetadata00000000");
    // carol has the shared file but never joined: names are metadata, values stay sealed.
    let (listed, _) = v.person_ok("carol", &["ls"]);
    assert!(listed.contains("llm-eval/dev/OPENAI_API_KEY"), "{listed}");
    let err = v.person_fail("carol", &["get", "llm-eval/dev/OPENAI_API_KEY"]);
    assert!(err.contains("not a member"), "{err}");
}
