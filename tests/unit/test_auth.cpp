#include "support.hpp"
#include "throttle.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::test;

namespace {

LoginRequest login_as(const std::string& user, const std::string& password, const std::string& ip = "192.0.2.10",
                      const std::string& device = "") {
    LoginRequest r;
    r.username = user;
    r.password = password;
    r.ip = ip;
    r.device_token = device;
    return r;
}

}  // namespace

TEST_CASE("throttle: free failures, then doubling waits up to the cap, forgotten after quiet time") {
    FakeClock clock;
    Throttle t(clock, ThrottlePolicy{3, 1000, 4000, 60'000});
    t.failure("k");
    t.failure("k");
    CHECK(t.wait_ms("k") == 0);
    t.failure("k");
    CHECK(t.wait_ms("k") == 1000);
    clock.advance_ms(1000);
    CHECK(t.wait_ms("k") == 0);
    t.failure("k");
    CHECK(t.wait_ms("k") == 2000);
    t.failure("k");
    CHECK(t.wait_ms("k") == 4000);
    t.failure("k");
    CHECK(t.wait_ms("k") == 4000);  // capped
    CHECK(t.wait_ms("other") == 0);
    clock.advance_ms(61'000);
    t.failure("k");  // the old failures no longer count
    CHECK(t.wait_ms("k") == 0);
    t.success("k");
    CHECK(t.wait_ms("k") == 0);
}

TEST_CASE("throttle: a flood of distinct keys cannot grow memory without bound") {
    FakeClock clock;
    Throttle t(clock, ThrottlePolicy{5, 1000, 4000, 60'000}, 100);
    for (int i = 0; i < 10000; ++i) t.failure("key" + std::to_string(i));
    for (int i = 0; i < 5; ++i) t.failure("persistent");
    CHECK(t.wait_ms("persistent") > 0);
}

TEST_CASE("sign in with the right password, not with a wrong one") {
    World w;
    w.add_user("marie");
    auto ok = w.auth->login(login_as("Marie", "correct horse battery"));
    REQUIRE(ok.ok());
    CHECK(ok->principal.name == "marie");
    CHECK(ok->session_token.size() == 43);  // 256 bits, base64url
    CHECK(ok->principal.csrf_token.size() == 43);
    CHECK_FALSE(ok->device_token.empty());
    auto bad = w.auth->login(login_as("marie", "wrong password"));
    CHECK(bad.error().code == "invalid_credentials");
    CHECK(w.auth->login(login_as("nobody", "whatever")).error().code == "invalid_credentials");
    CHECK(w.auth->login(login_as("", "")).error().fields.size() == 2);
}

TEST_CASE("sessions: found by token, stored only as a hash, expire when idle or old") {
    World w;
    w.add_user("marie");
    auto login = w.auth->login(login_as("marie", "correct horse battery"));
    REQUIRE(login.ok());
    auto who = w.auth->authenticate_session(login->session_token);
    REQUIRE(who.ok());
    CHECK(who->csrf_token == login->principal.csrf_token);
    CHECK(w.auth->authenticate_session("forged").error().kind == ErrorKind::unauthorized);

    // The token itself is nowhere in the database.
    auto stored = w.db->read([&](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM sessions WHERE token_hash = ? OR csrf_token = ?"));
        s.bind(1, login->session_token).bind(2, login->session_token);
        TRY(s.step());
        return s.int64(0);
    });
    CHECK(*stored == 0);

    // Activity keeps it alive; 12 hours of silence end it.
    for (int i = 0; i < 10; ++i) {
        w.clock.advance_ms(6 * 3600'000LL);
        REQUIRE(w.auth->authenticate_session(login->session_token).ok());
    }
    w.clock.advance_ms(13 * 3600'000LL);
    CHECK(w.auth->authenticate_session(login->session_token).error().code == "session_expired");

    // However active, a session lasts 7 days.
    auto second = w.auth->login(login_as("marie", "correct horse battery"));
    for (int i = 0; i < 16; ++i) {  // 176 hours, each gap under the idle limit
        w.clock.advance_ms(11 * 3600'000LL);
        (void)w.auth->authenticate_session(second->session_token);
    }
    CHECK(w.auth->authenticate_session(second->session_token).error().code == "session_expired");
}

TEST_CASE("logout ends the session") {
    World w;
    w.add_user("marie");
    auto login = w.auth->login(login_as("marie", "correct horse battery"));
    REQUIRE(w.auth->logout(login->session_token).ok());
    CHECK_FALSE(w.auth->authenticate_session(login->session_token).ok());
}

TEST_CASE("repeated failures from an unknown browser are throttled") {
    World w;
    w.add_user("marie");
    for (int i = 0; i < 5; ++i)
        CHECK(w.auth->login(login_as("marie", "guess", "203.0.113.5")).error().code == "invalid_credentials");
    auto blocked = w.auth->login(login_as("marie", "correct horse battery", "203.0.113.5"));
    REQUIRE_FALSE(blocked.ok());
    CHECK(blocked.error().kind == ErrorKind::throttled);
    CHECK(blocked.error().retry_after_s == 30);
    w.clock.advance_ms(30'000);
    CHECK(w.auth->login(login_as("marie", "correct horse battery", "203.0.113.5")).ok());
}

TEST_CASE("an attacker cannot lock a user out of the browser they signed in from") {
    World w;
    w.add_user("marie");
    auto first = w.auth->login(login_as("marie", "correct horse battery", "192.0.2.10"));
    const std::string device = first->device_token;
    // Someone elsewhere hammers the account for an hour.
    for (int i = 0; i < 200; ++i) {
        (void)w.auth->login(login_as("marie", "guess" + std::to_string(i), "203.0.113.5"));
        w.clock.advance_ms(15'000);
    }
    CHECK(w.auth->login(login_as("marie", "correct horse battery", "203.0.113.6")).error().kind ==
          ErrorKind::throttled);
    // Marie, at her own workstation, signs in at once.
    auto again = w.auth->login(login_as("marie", "correct horse battery", "192.0.2.10", device));
    REQUIRE(again.ok());
    CHECK(again->device_token.empty());  // the browser is already known
    // And the lockout of unknown browsers is never longer than 15 minutes.
    w.clock.advance_ms(15 * 60'000);
    CHECK(w.auth->login(login_as("marie", "correct horse battery", "198.51.100.7")).ok());
}

TEST_CASE("one address guessing many user names is throttled") {
    World w;
    w.add_user("marie");
    for (int i = 0; i < 20; ++i) (void)w.auth->login(login_as("user" + std::to_string(i), "guess", "203.0.113.9"));
    CHECK(w.auth->login(login_as("marie", "correct horse battery", "203.0.113.9")).error().kind ==
          ErrorKind::throttled);
    CHECK(w.auth->login(login_as("marie", "correct horse battery", "192.0.2.10")).ok());
}

TEST_CASE("the first start creates one admin who must change the one-time password") {
    World w;
    auto password = w.auth->bootstrap_admin("fr");
    REQUIRE(password.ok());
    REQUIRE(password->has_value());
    CHECK((*password)->size() == 19);
    auto again = w.auth->bootstrap_admin("fr");
    CHECK_FALSE(again->has_value());
    auto login = w.auth->login(login_as("admin", **password));
    REQUIRE(login.ok());
    CHECK(login->principal.role == UserRole::dealer_admin);
    CHECK(login->principal.must_change_password);
    CHECK(w.auth->change_password(login->principal, **password, "short").error().fields[0].code ==
          "password_too_short");
    CHECK(w.auth->change_password(login->principal, "wrong", "a much longer one").error().fields[0].code ==
          "password_wrong");
    REQUIRE(w.auth->change_password(login->principal, **password, "Garage-Martin-2026").ok());
    auto after = w.auth->authenticate_session(login->session_token);
    REQUIRE(after.ok());  // the session that changed it stays
    CHECK_FALSE(after->must_change_password);
}

TEST_CASE("changing a password ends the user's other sessions") {
    World w;
    w.add_user("marie");
    auto a = w.auth->login(login_as("marie", "correct horse battery"));
    auto b = w.auth->login(login_as("marie", "correct horse battery"));
    REQUIRE(w.auth->change_password(a->principal, "correct horse battery", "another good one").ok());
    CHECK(w.auth->authenticate_session(a->session_token).ok());
    CHECK_FALSE(w.auth->authenticate_session(b->session_token).ok());
}

TEST_CASE("users: names checked, unique, admins manage them") {
    World w;
    const User admin = w.add_user("admin", UserRole::dealer_admin);
    NewUser bad;
    bad.username = "Marie Lambert";
    bad.password = "123";
    auto r = w.auth->create_user(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().fields[0].code == "username_invalid");
    w.add_user("marie");
    NewUser dup;
    dup.username = "MARIE";
    dup.password = "long enough password";
    CHECK(w.auth->create_user(dup).error().fields[0].code == "username_taken");

    Principal by;
    by.id = admin.id;
    UserPatch demote;
    demote.role = UserRole::advisor;
    CHECK(w.auth->update_user(admin.id, demote, by).error().fields[0].code == "cannot_demote_self");
    UserPatch off;
    off.active = false;
    auto login = w.auth->login(login_as("marie", "correct horse battery"));
    REQUIRE(w.auth->update_user(login->principal.id, off, by).ok());
    CHECK_FALSE(w.auth->authenticate_session(login->session_token).ok());
    CHECK(w.auth->login(login_as("marie", "correct horse battery")).error().code == "invalid_credentials");
}

TEST_CASE("API keys: shown once, stored hashed, revocable") {
    World w;
    auto key = w.auth->create_api_key("DMS Planet", std::nullopt);
    REQUIRE(key.ok());
    CHECK(key->key.rfind("rk_", 0) == 0);
    CHECK(key->record.prefix == key->key.substr(0, 10));
    auto who = w.auth->authenticate_api_key(key->key);
    REQUIRE(who.ok());
    CHECK(who->kind == Principal::Kind::api_key);
    CHECK_FALSE(who->is_admin());
    CHECK(w.auth->authenticate_api_key(key->key + "x").error().code == "invalid_api_key");
    CHECK(w.auth->create_api_key("dms planet", std::nullopt).error().fields[0].code == "name_taken");
    REQUIRE(w.auth->revoke_api_key_by_name("DMS Planet").ok());
    CHECK(w.auth->authenticate_api_key(key->key).error().code == "invalid_api_key");
}

TEST_CASE("password policy") {
    CHECK(password_problem("short", "marie") == "password_too_short");
    CHECK(password_problem("marie.lambert", "Marie.Lambert") == "password_is_username");
    CHECK(password_problem(std::string(300, 'x'), "marie") == "password_too_long");
    CHECK_FALSE(password_problem("Garage-Martin-2026", "marie").has_value());
}

TEST_CASE("Argon2id hashes are salted and verify") {
    FakeRandom random;
    auto hasher = make_argon2id_hasher(random, Argon2Params{64, 1, 1});
    const std::string a = hasher->hash("correct horse battery");
    const std::string b = hasher->hash("correct horse battery");
    CHECK(a != b);
    CHECK(a.rfind("$argon2id$v=19$m=64,t=1,p=1$", 0) == 0);
    CHECK(hasher->verify(a, "correct horse battery"));
    CHECK_FALSE(hasher->verify(a, "Correct horse battery"));
    // The production parameters are OWASP's.
    const Argon2Params production;
    CHECK(production.memory_kib == 19456);
    CHECK(production.iterations == 2);
    CHECK(production.parallelism == 1);
}
