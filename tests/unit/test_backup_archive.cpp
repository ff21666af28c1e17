// The backup file's format (backup_archive.hpp): what is written reads back the same; a file
// that was cut, damaged or altered anywhere is refused with a message naming what is wrong;
// names that would leave the extraction folder never get that far.
#include "backup_archive.hpp"
#include "crypto.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace relais;
using namespace relais::test;
namespace fs = std::filesystem;

namespace {

// 200 kB that differ from one block to the next, so that a byte out of place shows.
std::string database_bytes() {
    std::string s = "SQLite format 3";
    for (int i = 0; s.size() < 200'000; ++i) s += std::to_string(i * 7919 % 100'003) + ",";
    return s;
}

// Where lego keeps its account key: past ustar's 100-byte name field.
const std::string kLegoKey =
    "tls/acme/accounts/acme-v02.api.letsencrypt.org/atelier@garage-martin.fr/keys/atelier@garage-martin.fr.key";

struct Archive {
    TempDir dir;
    std::string path = dir.path() + "/relais-backup-20261206T013000Z.tar";
    BackupManifest manifest;

    explicit Archive(std::vector<BackupSource> sources = {}) {
        write_file(dir.path() + "/snapshot.db", database_bytes());
        if (sources.empty())
            sources = {{"relais.db", dir.path() + "/snapshot.db", std::nullopt},
                       {"relais.toml", "", std::string("[storage]\ndata_dir = \"/var/lib/relais\"\n")},
                       {"tls/acme/account.key", "", std::string("-----BEGIN PRIVATE KEY-----\nMIIE\n")},
                       {"tls/certs/relais.garage-martin.fr.pem", "", std::string(1500, 'c')},
                       {kLegoKey, "", std::string("lego's account key")}};
        manifest.relais_version = "0.1.0";
        manifest.created_at = 1'796'520'600'000;  // 2026-12-06T01:30:00Z
        manifest.schema_version = 9;
        manifest.host = "relais-garage";
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        auto written = write_backup_archive(fd, manifest, sources);
        ::close(fd);
        REQUIRE_MESSAGE(written.ok(), written.error().detail);
        original = bytes();
    }
    std::string original;  // the file as written

    std::string bytes() const { return read_file(path); }
    void rewrite(const std::string& bytes) const { write_file(path, bytes); }

    // Where the data of the tar member `name` starts in the file as written (its header is the
    // block before).
    std::size_t data_of(const std::string& name) const {
        const std::string& b = original;
        for (std::size_t at = 0; at + 512 <= b.size();) {
            const std::string found(b.c_str() + at);
            const std::size_t size = std::stoull(b.substr(at + 124, 11), nullptr, 8);
            if (found == name) return at + 512;
            at += 512 + (size + 511) / 512 * 512;
        }
        FAIL("no member " << name);
        return 0;
    }

    // Extracts into a fresh folder: the manifest, or the refusal's message.
    mutable int extractions = 0;
    Result<BackupManifest> extract(const std::string& into_name = "") const {
        const std::string into =
            dir.path() + "/" + (into_name.empty() ? "out" + std::to_string(++extractions) : into_name);
        fs::create_directory(into);
        return extract_backup_archive(path, into);
    }
    std::string refusal() const {
        auto r = extract();
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "backup_refused");
        return r.error().detail;
    }
};

// A manifest with its own checksum line, as the writer makes it, from its other lines.
std::string signed_manifest(const std::string& body) { return body + "manifest-sha256 " + to_hex(sha256(body)) + "\n"; }

}  // namespace

TEST_CASE("backup archive: written, then read back the same, member by member") {
    Archive a;
    REQUIRE(a.manifest.members.size() == 5);
    REQUIRE(kLegoKey.size() > 100);
    CHECK(a.manifest.members[0] ==
          BackupMember{"relais.db", database_bytes().size(), to_hex(sha256(database_bytes()))});

    auto read = a.extract("out");
    REQUIRE_MESSAGE(read.ok(), read.error().detail);
    CHECK(*read == a.manifest);
    const std::string out = a.dir.path() + "/out";
    CHECK(read_file(out + "/relais.db") == database_bytes());
    CHECK(read_file(out + "/relais.toml") == "[storage]\ndata_dir = \"/var/lib/relais\"\n");
    CHECK(read_file(out + "/tls/acme/account.key") == "-----BEGIN PRIVATE KEY-----\nMIIE\n");
    CHECK(read_file(out + "/tls/certs/relais.garage-martin.fr.pem") == std::string(1500, 'c'));
    CHECK(read_file(out + "/" + kLegoKey) == "lego's account key");
    struct stat st {};
    REQUIRE(::stat((out + "/tls/acme/account.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((out + "/tls/acme").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);

    // The manifest is the archive's first member, in words a person can read too.
    const std::string text = manifest_text(a.manifest);
    CHECK(a.bytes().substr(512, text.size()) == text);
    CHECK(text.find("created 2026-12-06T01:30:00Z\n") != std::string::npos);
    CHECK(text.find("host relais-garage\n") != std::string::npos);
    CHECK(*parse_manifest(text) == a.manifest);
}

TEST_CASE("backup archive: a byte changed anywhere is refused, naming where") {
    Archive a;
    const std::string good = a.original;
    const auto flip = [&](std::size_t at) {
        std::string b = good;
        b[at] = static_cast<char>(b[at] ^ 0x01);
        a.rewrite(b);
        return a.refusal();
    };
    const std::string db_damaged = flip(a.data_of("relais.db") + 150'000);
    CHECK(db_damaged.find("\"relais.db\" is damaged: its SHA-256 is ") != std::string::npos);
    CHECK(db_damaged.find("the manifest says " + a.manifest.members[0].sha256) != std::string::npos);
    CHECK(flip(a.data_of("tls/acme/account.key") + 3).find("\"tls/acme/account.key\" is damaged") != std::string::npos);
    CHECK(flip(a.data_of("MANIFEST") + 20).find("the manifest is damaged (its own SHA-256 does not match)") !=
          std::string::npos);
    // A tar header: its own checksum says so.
    CHECK(flip(a.data_of("relais.toml") - 512 + 100).find("the tar header at byte") != std::string::npos);
    // The CHECKSUM member itself, and a byte no member's hash covers (a member's zero padding):
    // the whole file's SHA-256 sees both.
    CHECK(flip(a.data_of("CHECKSUM") + 10).find("altered: the SHA-256 of the file is") != std::string::npos);
    {
        std::string b = good;
        const std::size_t pad = a.data_of("relais.toml") + 100;  // the member's zero padding
        b[pad] = 'x';
        a.rewrite(b);
        CHECK(a.refusal().find("altered: the SHA-256 of the file is") != std::string::npos);
    }
    // The file as written is still fine: nothing above was a false alarm of the reader.
    a.rewrite(good);
    CHECK(a.extract("again").ok());
}

TEST_CASE("backup archive: a file cut short, or with more after its end, is refused") {
    Archive a;
    const std::string good = a.original;
    const auto cut = [&](std::size_t size) {
        a.rewrite(good.substr(0, size));
        return a.refusal();
    };
    CHECK(cut(0).find("the file is empty") != std::string::npos);
    CHECK(cut(300).find("not a Relais backup (300 bytes, less than a tar header)") != std::string::npos);
    CHECK(cut(1000).find("truncated: the file ends inside \"MANIFEST\"") != std::string::npos);
    CHECK(cut(a.data_of("relais.db") + 70'000).find("truncated: the file ends inside \"relais.db\" (65536 of its") !=
          std::string::npos);
    CHECK(cut(a.data_of("relais.toml") - 512).find("truncated: the file ends before \"relais.toml\"") !=
          std::string::npos);
    CHECK(cut(a.data_of("CHECKSUM") - 512).find("truncated: the file ends before \"CHECKSUM\"") != std::string::npos);
    CHECK(cut(good.size() - 512).find("truncated: the file ends before the end of the archive") != std::string::npos);
    a.rewrite(good + "more");
    CHECK(a.refusal().find("altered: 4 byte(s) after the end of the archive") != std::string::npos);
}

TEST_CASE("backup archive: a member the manifest names is missing, one it does not name is refused") {
    Archive a;
    const std::string good = a.original;
    // tls/acme/account.key's header and data blocks cut out: the manifest still names it.
    const std::size_t key = a.data_of("tls/acme/account.key") - 512,
                      next = a.data_of("tls/certs/relais.garage-martin.fr.pem") - 512;
    a.rewrite(good.substr(0, key) + good.substr(next));
    CHECK(a.refusal().find("\"tls/acme/account.key\" is missing (the archive has "
                           "\"tls/certs/relais.garage-martin.fr.pem\" in its place)") != std::string::npos);
    // The last member cut out: the checksum comes where it should be.
    const std::size_t last = a.data_of("tls/certs/relais.garage-martin.fr.pem") - 512;
    const std::size_t checksum = a.data_of("CHECKSUM") - 512;
    a.rewrite(good.substr(0, last) + good.substr(checksum));
    CHECK(a.refusal().find("\"tls/certs/relais.garage-martin.fr.pem\" is missing (the archive has \"CHECKSUM\"") !=
          std::string::npos);
    // A member added before CHECKSUM.
    a.rewrite(good.substr(0, checksum) + good.substr(key, next - key) + good.substr(checksum));
    CHECK(a.refusal().find("\"tls/acme/account.key\" is not in the manifest: the file was altered") !=
          std::string::npos);
    // Not a tar at all.
    a.rewrite(std::string(2000, 'x'));
    CHECK(a.refusal().find("not a Relais backup") != std::string::npos);
    CHECK(extract_backup_archive(a.dir.path() + "/nowhere.tar", a.dir.path())
              .error()
              .detail.find("cannot be read: No such file or directory") != std::string::npos);
}

TEST_CASE("backup archive: names that would leave the folder are refused before anything is written") {
    for (const char* bad : {"../relais.db", "/etc/passwd", "tls/../../etc/cron.d/x", "tls/./key", "tls//key", "tls/",
                            "tls", "tls/a b", "tls/clé", "relais.db/x", "MANIFEST", "CHECKSUM", "other.db", "tls/..",
                            "settings.toml/x", "../settings.toml", "tls.toml"}) {
        CAPTURE(bad);
        CHECK_FALSE(valid_member_name(bad));
    }
    CHECK(valid_member_name("relais.toml"));
    CHECK(valid_member_name("settings.toml"));
    CHECK(valid_member_name("tls/acme/account.key"));
    CHECK(valid_member_name("tls/.hidden"));
    CHECK_FALSE(valid_member_name("tls/" + std::string(101, 'a')));  // no slash leaves 100 bytes after it
    CHECK(valid_member_name("tls/" + std::string(100, 'a')));
    CHECK(valid_member_name("tls/" + std::string(150, 'p') + "/" + std::string(100, 'n')));
    CHECK_FALSE(valid_member_name("tls/" + std::string(152, 'p') + "/" + std::string(100, 'n')));

    // A manifest whose checksum is right (anyone can compute one) but names a way out.
    const std::string head =
        "relais-backup 1\nrelais-version 0.1.0\ncreated 2026-12-06T01:30:00Z\nschema-version 9\n"
        "host relais-garage\nfile relais.db 3 " +
        to_hex(sha256("abc")) + "\n";
    const auto problem = [](const Result<BackupManifest>& r) {
        REQUIRE_FALSE(r.ok());
        return r.error().params.front().second;
    };
    CHECK(parse_manifest(signed_manifest(head)).ok());
    CHECK(problem(
              parse_manifest(signed_manifest(head + "file tls/../../../etc/shadow 3 " + to_hex(sha256("abc")) + "\n")))
              .find("names a member \"tls/../../../etc/shadow\" that a backup cannot hold") != std::string::npos);
    CHECK(problem(parse_manifest(signed_manifest(head + "file tls/big 2000000 " + to_hex(sha256("abc")) + "\n")))
              .find("gives tls/big a size over its bound") != std::string::npos);
    CHECK(problem(parse_manifest(signed_manifest(head + "file relais.db 3 " + to_hex(sha256("abc")) + "\n")))
              .find("names relais.db twice") != std::string::npos);
    CHECK(problem(parse_manifest(signed_manifest(head + "owner root\n"))).find("\"owner root\" is not valid") !=
          std::string::npos);
    std::string newer = signed_manifest(head);
    newer[14] = '2';
    CHECK(problem(parse_manifest(newer)).find("format 2, which this relais does not read") != std::string::npos);
    CHECK(problem(parse_manifest(head)).find("the manifest is damaged") != std::string::npos);
    CHECK(problem(parse_manifest("PK\x03\x04")).find("not a Relais backup") != std::string::npos);
}

TEST_CASE("backup archive: the writer refuses what a backup cannot hold") {
    TempDir dir;
    const auto write = [&](std::vector<BackupSource> sources) {
        const std::string path = dir.path() + "/out.tar";
        fs::remove(path);
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        BackupManifest m;
        m.relais_version = "0.1.0";
        m.host = "h";
        auto r = write_backup_archive(fd, m, sources);
        ::close(fd);
        REQUIRE_FALSE(r.ok());
        return r.error().detail;
    };
    CHECK(write({{"relais.toml", "", std::string("x")}}).find("the database first") != std::string::npos);
    CHECK(write({{"relais.db", "", std::string("x")}, {"tls/a b", "", std::string("x")}})
              .find("cannot back up \"tls/a b\"") != std::string::npos);
    CHECK(write({{"relais.db", "", std::string("x")}, {"tls/big", "", std::string(kMaxSmallMember + 1, 'x')}})
              .find("more than a backup holds") != std::string::npos);
    CHECK(write({{"relais.db", dir.path() + "/missing.db", std::nullopt}})
              .find("cannot read " + dir.path() + "/missing.db") != std::string::npos);
}

TEST_CASE("backup archive: bytes from the file reach a message escaped") {
    Archive a;
    std::string b = a.original;
    // The member after relais.toml renamed to bytes a terminal would act on; its header's sum
    // made right again, as an attacker would.
    const std::size_t header = a.data_of("tls/acme/account.key") - 512;
    const std::string hostile = "tls/\x1b[2J\xff";
    std::copy(hostile.begin(), hostile.end(), b.begin() + static_cast<std::ptrdiff_t>(header));
    unsigned sum = 0;
    for (std::size_t i = 0; i < 512; ++i)
        sum += (i >= 148 && i < 156) ? unsigned(' ') : static_cast<unsigned char>(b[header + i]);
    char field[8];
    std::snprintf(field, sizeof field, "%06o", sum);
    std::copy(field, field + 7, b.begin() + static_cast<std::ptrdiff_t>(header + 148));
    a.rewrite(b);
    const std::string why = a.refusal();
    CHECK(why.find("\"tls/acme/account.key\" is missing (the archive has \"tls/\\x1B[2J\\xFF") != std::string::npos);
    CHECK(why.find('\x1b') == std::string::npos);
}
