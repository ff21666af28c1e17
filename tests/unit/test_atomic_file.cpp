// Small files written and read whole (atomic_file.hpp): a replaced file is the old bytes or the
// new ones, with the mode (and owner) asked for whatever the umask or a leftover temporary;
// nothing is followed through a symlink; a failed write leaves the file as it was; a file read
// whole is bounded and its errors told apart (missing, too large, not a file).
#include "atomic_file.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>

using namespace relais;
using namespace relais::test;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// The process's umask for the length of a test.
struct Umask {
    mode_t old;
    explicit Umask(mode_t m) : old(::umask(m)) {}
    ~Umask() { ::umask(old); }
};

}  // namespace

TEST_CASE("replace_file: the new bytes whole, the mode asked for, no temporary left") {
    TempDir dir;
    const std::string path = dir.path() + "/settings.toml";
    const Umask umask(077);
    REQUIRE(replace_file(path, "one\n", 0600));
    CHECK(read_file(path) == "one\n");
    CHECK(mode_of(path) == 0600);
    // 0640 under a umask of 077: exact unless asked otherwise.
    REQUIRE(replace_file(path, "two\n", 0640));
    CHECK(read_file(path) == "two\n");
    CHECK(mode_of(path) == 0640);
    CHECK_FALSE(fs::exists(path + ".tmp"));

    // A temporary a crash left behind, readable by all: truncated, and its mode set before a byte goes in.
    write_file(path + ".tmp", std::string(10000, 'x'));
    ::chmod((path + ".tmp").c_str(), 0666);
    REQUIRE(replace_file(path, "three\n", 0600));
    CHECK(read_file(path) == "three\n");
    CHECK(mode_of(path) == 0600);

    // As created: the umask applies (a FAT USB stick would keep its own modes anyway).
    const std::string backup = dir.path() + "/relais-backup.tar";
    REQUIRE(replace_file(backup, "tar", {.mode = 0644, .mode_is = ModeIs::at_creation, .owner = std::nullopt}));
    CHECK(mode_of(backup) == 0600);
}

TEST_CASE("replace_file: a failure leaves the file as it was, and says why") {
    TempDir dir;
    const std::string path = dir.path() + "/backup-status";
    REQUIRE(replace_file(path, "old", 0600));

    // What the writer fails with is returned as it is; the temporary goes.
    auto failed = replace_file(path, {.mode = 0600, .mode_is = ModeIs::exact, .owner = std::nullopt},
                               [](int) -> Result<void> { return internal_error("the archive could not be read"); });
    REQUIRE_FALSE(failed);
    CHECK(failed.error().detail == "the archive could not be read");
    CHECK(read_file(path) == "old");
    CHECK_FALSE(fs::exists(path + ".tmp"));

    // A symlink at the temporary name is not written through, nor removed (it is not ours).
    write_file(dir.path() + "/elsewhere", "theirs");
    fs::create_symlink(dir.path() + "/elsewhere", path + ".tmp");
    failed = replace_file(path, "new", 0600);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().detail.starts_with("cannot write " + path + ": "));
    CHECK_FALSE(failed.error().params.empty());
    CHECK(read_file(path) == "old");
    CHECK(read_file(dir.path() + "/elsewhere") == "theirs");
    CHECK(fs::is_symlink(path + ".tmp"));

    // A folder that is not there.
    failed = replace_file(dir.path() + "/none/file", "x", 0600);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().params.front() == std::pair<std::string, std::string>{"reason", "No such file or directory"});
}

TEST_CASE("write_synced_file: written in place with its owner, for a rename later") {
    TempDir dir;
    const std::string path = dir.path() + "/relais.toml.restore-tmp";
    WriteOptions options{.mode = 0640, .mode_is = ModeIs::exact, .owner = std::nullopt};
    if (::geteuid() == 0) options.owner = FileOwner{65534, 65534};
    REQUIRE(write_synced_file(path, "[dealer]\n", options));
    CHECK(read_file(path) == "[dealer]\n");
    CHECK(mode_of(path) == 0640);
    if (::geteuid() == 0) {
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK(st.st_uid == 65534);
        CHECK(st.st_gid == 65534);
    }
}

TEST_CASE("read_file: the whole file, bounded, missing, too large and not a file told apart") {
    TempDir dir;
    const std::string path = dir.path() + "/relais.toml";
    write_file(path, std::string(40000, 'a'));  // more than one read's worth
    auto whole = read_file(path, 40000);
    REQUIRE(whole);
    CHECK(whole->size() == 40000);
    REQUIRE(read_file(dir.path() + "/empty", 0).error().code == "file_missing");
    write_file(dir.path() + "/empty", "");
    CHECK(read_file(dir.path() + "/empty", 0).value().empty());

    auto missing = read_file(dir.path() + "/none", 10);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::not_found);
    CHECK(missing.error().code == "file_missing");
    CHECK(missing.error().detail == "cannot read " + dir.path() + "/none: No such file or directory");

    auto large = read_file(path, 39999);
    REQUIRE_FALSE(large);
    CHECK(large.error().kind == ErrorKind::too_large);
    CHECK(large.error().code == "file_too_large");
    CHECK(large.error().detail == "cannot read " + path + ": larger than 39999 bytes");

    auto folder = read_file(dir.path(), 10);
    REQUIRE_FALSE(folder);
    CHECK(folder.error().kind == ErrorKind::internal);
    CHECK(folder.error().params.front().second == "a folder, not a file");

    // A FIFO is refused at once, not waited on for a writer.
    const std::string fifo = dir.path() + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto pipe = read_file(fifo, 10);
    REQUIRE_FALSE(pipe);
    CHECK(pipe.error().params.front().second == "not a plain file");
}

TEST_CASE("fsync_path: a file, a folder, what is not there is an error naming it") {
    TempDir dir;
    write_file(dir.path() + "/f", "x");
    CHECK(fsync_path(dir.path() + "/f", SyncWhat::file));
    CHECK(fsync_path(dir.path(), SyncWhat::directory));
    auto none = fsync_path(dir.path() + "/none", SyncWhat::directory);
    REQUIRE_FALSE(none);
    CHECK(none.error().detail.find(dir.path() + "/none") != std::string::npos);
}
