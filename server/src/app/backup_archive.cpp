#include "backup_archive.hpp"

#include "crypto.hpp"
#include "text.hpp"
#include "timezone.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>
#include <span>

namespace relais {
namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kChunk = 1 << 16;
constexpr std::string_view kManifestName = "MANIFEST";
constexpr std::string_view kChecksumName = "CHECKSUM";

Error refused(const std::string& path, const std::string& problem) {
    Error e = make_error(ErrorKind::invalid, "backup_refused", {{"path", path}, {"problem", problem}});
    e.detail = path + ": " + problem;
    return e;
}

bool digits(std::string_view s, std::size_t max_length) {
    return !s.empty() && s.size() <= max_length &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex_digest(std::string_view s) {
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool plain_name(std::string_view s, std::string_view extra) {
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               extra.find(c) != std::string_view::npos;
    });
}

// "2026-12-06T04:37:34Z", as format_utc() writes it, and nothing else.
std::optional<UnixMs> parse_created(std::string_view s) {
    static const auto utc = make_fixed_offset_zone(0);
    if (s.size() != 20 || s.back() != 'Z') return std::nullopt;
    return parse_date_time(s, *utc);
}

// ---- tar headers ---------------------------------------------------------------------------

using Block = std::array<char, kBlock>;

// width - 1 octal digits, zero-padded, then NUL (values are within the field by construction).
void put_octal(char* field, std::size_t width, std::uint64_t value) {
    field[width - 1] = '\0';
    for (std::size_t i = width - 1; i-- > 0; value /= 8) field[i] = static_cast<char>('0' + value % 8);
}

unsigned header_sum(const Block& b) {
    unsigned sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i)
        sum += (i >= 148 && i < 156) ? unsigned(' ') : static_cast<unsigned char>(b[i]);
    return sum;
}

// ustar keeps a long name in two fields: prefix (155 bytes) "/" name (100 bytes). The split is
// at the first slash that leaves at most 100 bytes after it; nullopt when there is none that fits.
std::optional<std::pair<std::string_view, std::string_view>> ustar_split(std::string_view path) {
    if (path.size() <= 100) return std::pair(std::string_view(), path);
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos && slash <= 155;
         slash = path.find('/', slash + 1))
        if (path.size() - slash - 1 <= 100) return std::pair(path.substr(0, slash), path.substr(slash + 1));
    return std::nullopt;
}

Block make_header(std::string_view path, std::uint64_t size, UnixMs mtime) {
    Block b{};
    const auto [prefix, name] = *ustar_split(path);  // names are checked before (valid_member_name)
    // name (100) and prefix (155), NUL-padded; an empty prefix is no copy (its data() may be null)
    std::copy(name.begin(), name.end(), b.begin());
    std::copy(prefix.begin(), prefix.end(), b.begin() + 345);
    put_octal(&b[100], 8, 0600);  // mode
    put_octal(&b[108], 8, 0);     // uid
    put_octal(&b[116], 8, 0);     // gid
    put_octal(&b[124], 12, size);
    put_octal(&b[136], 12, static_cast<std::uint64_t>(std::max<UnixMs>(0, mtime / 1000)));
    b[156] = '0';                      // a regular file
    std::memcpy(&b[257], "ustar", 6);  // magic, NUL included
    std::memcpy(&b[263], "00", 2);     // version
    put_octal(&b[148], 7, header_sum(b));
    b[155] = ' ';
    return b;
}

std::optional<std::uint64_t> read_octal(const char* field, std::size_t width) {
    std::size_t n = 0;
    while (n < width && field[n] >= '0' && field[n] <= '7') ++n;
    if (n == 0 || n == width) return std::nullopt;
    for (std::size_t i = n; i < width; ++i)
        if (field[i] != '\0' && field[i] != ' ') return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 8 + static_cast<std::uint64_t>(field[i] - '0');
    return v;
}

// ---- writing -------------------------------------------------------------------------------

class Output {
public:
    explicit Output(int fd) : fd_(fd) {}
    Sha256 hash;  // every byte written so far

    Result<void> write(std::string_view data) {
        hash.update(data);
        while (!data.empty()) {
            const ssize_t n = ::write(fd_, data.data(), data.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return internal_error(std::string("cannot write the backup: ") + std::strerror(errno));
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return success();
    }
    Result<void> header(std::string_view name, std::uint64_t size, UnixMs mtime) {
        const Block b = make_header(name, size, mtime);
        return write(std::string_view(b.data(), b.size()));
    }
    Result<void> pad(std::uint64_t size) {
        static const Block zeros{};
        const std::size_t rest = static_cast<std::size_t>(size % kBlock);
        return rest ? write(std::string_view(zeros.data(), kBlock - rest)) : success();
    }

private:
    int fd_;
};

// Reads the file at `path` in chunks, giving each to `take`.
template <class F>
Result<void> for_each_chunk(const std::string& path, F&& take) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return internal_error("cannot read " + path + ": " + std::strerror(errno));
    std::string buf(kChunk, '\0');
    Result<void> result = success();
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            result = internal_error("cannot read " + path + ": " + std::strerror(errno));
            break;
        }
        if (n == 0) break;
        if (auto taken = take(std::string_view(buf.data(), static_cast<std::size_t>(n))); !taken) {
            result = std::move(taken);
            break;
        }
    }
    ::close(fd);
    return result;
}

Result<BackupMember> describe(const BackupSource& s) {
    if (!valid_member_name(s.name))
        return internal_error("cannot back up \"" + s.name + "\": not a name a backup holds");
    const std::uint64_t bound = s.name == "relais.db" ? kMaxDatabaseMember : kMaxSmallMember;
    BackupMember m{s.name, 0, {}};
    Sha256 hash;
    if (s.bytes) {
        hash.update(*s.bytes);
        m.size = s.bytes->size();
    } else {
        TRY(for_each_chunk(s.path, [&](std::string_view chunk) -> Result<void> {
            hash.update(chunk);
            m.size += chunk.size();
            return success();
        }));
    }
    if (m.size > bound)
        return internal_error("cannot back up " + (s.bytes ? s.name : s.path) + ": " + std::to_string(m.size) +
                              " bytes, more than a backup holds (" + std::to_string(bound) + ")");
    m.sha256 = hash.hex();
    return m;
}

// ---- reading -------------------------------------------------------------------------------

class Input {
public:
    Input(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    Sha256 hash;  // every byte read so far
    std::uint64_t offset = 0;
    std::size_t short_by = 0;  // after a read that found the end: how many bytes it missed
    const std::string& path() const { return path_; }

    // Exactly out.size() bytes, or false at the end of the file.
    Result<bool> read(std::span<char> out) {
        std::size_t got = 0;
        while (got < out.size()) {
            const ssize_t n = ::read(fd_, out.data() + got, out.size() - got);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return internal_error("cannot read " + path_ + ": " + std::strerror(errno));
            if (n == 0) {
                short_by = out.size() - got;
                return false;
            }
            got += static_cast<std::size_t>(n);
        }
        hash.update(std::string_view(out.data(), out.size()));
        offset += out.size();
        return true;
    }

private:
    int fd_;
    std::string path_;
};

struct Entry {
    std::string name;
    std::uint64_t size = 0;
};

bool all_zero(const Block& b) {
    return std::all_of(b.begin(), b.end(), [](char c) { return c == 0; });
}

// The next member's header, which must be `expected` (a name, for the messages).
Result<Entry> read_header(Input& in, std::string_view expected) {
    const std::uint64_t at = in.offset;
    Block b{};
    TRY_ASSIGN(const bool got, in.read(b));
    const std::string what = "\"" + std::string(expected) + "\"";
    if (!got && at == 0)
        return refused(in.path(), in.short_by == kBlock
                                      ? "the file is empty"
                                      : "not a Relais backup (" + std::to_string(kBlock - in.short_by) +
                                            " bytes, less than a tar header)");
    if (!got) return refused(in.path(), "truncated: the file ends before " + what);
    if (all_zero(b)) return refused(in.path(), what + " is missing: the archive ends before it");
    const auto sum = read_octal(&b[148], 8);
    if (!sum || *sum != header_sum(b) || std::memcmp(&b[257], "ustar", 6) != 0)
        return refused(in.path(), at == 0 ? "not a Relais backup (it does not start with a tar header)"
                                          : "damaged: the tar header at byte " + std::to_string(at) + " (where " +
                                                what + " should be) is not valid");
    const auto field = [&](std::size_t at_byte, std::size_t width) {
        return std::string(&b[at_byte],
                           static_cast<std::size_t>(std::find(&b[at_byte], &b[at_byte] + width, '\0') - &b[at_byte]));
    };
    const std::string name = field(0, 100), prefix = field(345, 155);
    if (b[156] != '0' && b[156] != '\0')
        return refused(in.path(), "the member at byte " + std::to_string(at) +
                                      " is not a plain file: not written by relais backup");
    const auto size = read_octal(&b[124], 12);
    if (!size) return refused(in.path(), "damaged: the size in the tar header at byte " + std::to_string(at));
    return Entry{prefix.empty() ? name : prefix + "/" + name, *size};
}

// The member's data and its padding, chunk by chunk to `take`.
template <class F>
Result<void> read_data(Input& in, const Entry& e, F&& take) {
    std::string buf(kChunk, '\0');
    for (std::uint64_t left = e.size; left > 0;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunk));
        TRY_ASSIGN(const bool got, in.read(std::span<char>(buf.data(), n)));
        if (!got)
            return refused(in.path(), "truncated: the file ends inside \"" + e.name + "\" (" +
                                          std::to_string(e.size - left) + " of its " + std::to_string(e.size) +
                                          " bytes are there)");
        TRY(take(std::string_view(buf.data(), n)));
        left -= n;
    }
    if (const std::size_t rest = static_cast<std::size_t>(e.size % kBlock); rest) {
        TRY_ASSIGN(const bool got, in.read(std::span<char>(buf.data(), kBlock - rest)));
        if (!got) return refused(in.path(), "truncated: the file ends inside \"" + e.name + "\"");
    }
    return success();
}

Result<std::string> read_small(Input& in, const Entry& e, std::size_t bound) {
    if (e.size > bound)
        return refused(in.path(), "\"" + e.name + "\" is " + std::to_string(e.size) + " bytes, more than " +
                                      std::to_string(bound) + ": not written by relais backup");
    std::string out;
    TRY(read_data(in, e, [&](std::string_view chunk) -> Result<void> {
        out += chunk;
        return success();
    }));
    return out;
}

// Creates the folders of `name` under `into`, then the member's file; writes and syncs it.
Result<void> extract_member(Input& in, const Entry& e, const BackupMember& expected, const std::string& into) {
    for (std::size_t slash = e.name.find('/'); slash != std::string::npos; slash = e.name.find('/', slash + 1)) {
        const std::string dir = into + "/" + e.name.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
            return internal_error("cannot create " + dir + ": " + std::strerror(errno));
    }
    const std::string target = into + "/" + e.name;
    const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return internal_error("cannot create " + target + ": " + std::strerror(errno));
    Sha256 hash;
    auto copied = read_data(in, e, [&](std::string_view chunk) -> Result<void> {
        hash.update(chunk);
        for (std::string_view rest = chunk; !rest.empty();) {
            const ssize_t n = ::write(fd, rest.data(), rest.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return internal_error("cannot write " + target + ": " + std::strerror(errno));
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        return success();
    });
    const bool synced = copied && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    TRY(copied);
    if (!synced) return internal_error("cannot sync " + target + ": " + std::strerror(err));
    if (const std::string actual = hash.hex(); actual != expected.sha256)
        return refused(in.path(), "\"" + e.name + "\" is damaged: its SHA-256 is " + actual + ", the manifest says " +
                                      expected.sha256);
    return success();
}

}  // namespace

bool valid_member_name(std::string_view name) {
    if (name == "relais.db" || name == "relais.toml" || name == "settings.toml") return true;
    if (!name.starts_with("tls/") || !ustar_split(name)) return false;
    for (std::string_view rest = name.substr(4);;) {
        const auto slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        if (part.empty() || part == "." || part == ".." || !plain_name(part, "._@+=,~-")) return false;
        if (slash == std::string_view::npos) return true;
        rest.remove_prefix(slash + 1);
    }
}

std::string manifest_text(const BackupManifest& m) {
    std::string out = "relais-backup " + std::to_string(m.format) + "\n";
    out += "relais-version " + m.relais_version + "\n";
    out += "created " + format_utc(m.created_at) + "\n";
    out += "schema-version " + std::to_string(m.schema_version) + "\n";
    out += "host " + m.host + "\n";
    for (const auto& f : m.members) out += "file " + f.name + " " + std::to_string(f.size) + " " + f.sha256 + "\n";
    Sha256 hash;
    hash.update(out);
    return out + "manifest-sha256 " + hash.hex() + "\n";
}

Result<BackupManifest> parse_manifest(std::string_view text) {
    const auto problem = [](std::string what) {
        return make_error(ErrorKind::invalid, "manifest", {{"problem", what}});
    };
    if (text.size() > kMaxManifest) return problem("the manifest is too large");
    if (!text.starts_with("relais-backup ")) return problem("not a Relais backup (its manifest does not say so)");
    BackupManifest m;
    const std::string_view first = text.substr(14, text.find('\n') - 14);
    if (!digits(first, 6)) return problem("the manifest's first line is damaged");
    m.format = std::stoi(std::string(first));
    if (m.format != kBackupFormat)
        return problem("format " + std::to_string(m.format) + ", which this relais does not read (it reads format " +
                       std::to_string(kBackupFormat) + "): restore it with the relais version that made it");
    // Its last line is the SHA-256 of the lines before it.
    if (!text.ends_with("\n")) return problem("the manifest is damaged (cut short)");
    const auto last = text.rfind('\n', text.size() - 2);
    const std::string_view body = text.substr(0, last + 1), tail = text.substr(last + 1);
    Sha256 hash;
    hash.update(body);
    if (!tail.starts_with("manifest-sha256 ") || tail.substr(16, 64) != hash.hex() || tail.size() != 81)
        return problem("the manifest is damaged (its own SHA-256 does not match)");

    std::set<std::string> seen, names;
    for (std::string_view rest = body.substr(body.find('\n') + 1); !rest.empty();) {
        const std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(line.size() + 1);
        const auto space = line.find(' ');
        const std::string key(line.substr(0, space));
        const std::string_view value = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
        if (key != "file" && !seen.insert(key).second)
            return problem("the manifest names " + escape_untrusted(key, 60) + " twice");
        if (key == "relais-version" && !value.empty() && value.size() <= 64 && plain_name(value, ".+~_-")) {
            m.relais_version = value;
        } else if (key == "created" && parse_created(value)) {
            m.created_at = *parse_created(value);
        } else if (key == "schema-version" && digits(value, 6)) {
            m.schema_version = std::stoi(std::string(value));
        } else if (key == "host" && !value.empty() && value.size() <= 253 && plain_name(value, ".-")) {
            m.host = value;
        } else if (key == "file") {
            const auto a = value.find(' '), b = value.rfind(' ');
            if (a == std::string_view::npos || a == b) return problem("a file line of the manifest is damaged");
            BackupMember f{std::string(value.substr(0, a)), 0, std::string(value.substr(b + 1))};
            const std::string_view size = value.substr(a + 1, b - a - 1);
            if (!valid_member_name(f.name))
                return problem("the manifest names a member \"" + escape_untrusted(f.name, 120) +
                               "\" that a backup cannot hold (only relais.db, relais.toml, settings.toml and tls/…)");
            if (!digits(size, 12) || !is_hex_digest(f.sha256)) return problem("the manifest's line for " + f.name);
            f.size = std::stoull(std::string(size));
            if (f.size > (f.name == "relais.db" ? kMaxDatabaseMember : kMaxSmallMember))
                return problem("the manifest gives " + f.name + " a size over its bound");
            if (!names.insert(f.name).second) return problem("the manifest names " + f.name + " twice");
            if (m.members.size() >= kMaxMembers) return problem("the manifest names too many members");
            m.members.push_back(std::move(f));
        } else {
            return problem("the manifest's line \"" + escape_untrusted(line, 60) + "\" is not valid");
        }
    }
    for (const char* key : {"relais-version", "created", "schema-version", "host"})
        if (!seen.count(key)) return problem(std::string("the manifest has no ") + key);
    if (m.members.empty() || m.members.front().name != "relais.db")
        return problem("the manifest does not start with the database (relais.db)");
    return m;
}

Result<void> write_backup_archive(int fd, BackupManifest& manifest, const std::vector<BackupSource>& sources) {
    if (sources.empty() || sources.front().name != "relais.db" || sources.size() > kMaxMembers)
        return internal_error("a backup holds the database first, and at most " + std::to_string(kMaxMembers) +
                              " members");
    manifest.members.clear();
    for (const auto& s : sources) {
        TRY_ASSIGN(auto member, describe(s));
        manifest.members.push_back(std::move(member));
    }
    const std::string text = manifest_text(manifest);
    Output out(fd);
    TRY(out.header(kManifestName, text.size(), manifest.created_at));
    TRY(out.write(text));
    TRY(out.pad(text.size()));
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const BackupSource& s = sources[i];
        const BackupMember& m = manifest.members[i];
        TRY(out.header(m.name, m.size, manifest.created_at));
        if (s.bytes) {
            TRY(out.write(*s.bytes));
        } else {
            // Read a second time: what is written must be what the manifest describes.
            Sha256 again;
            std::uint64_t size = 0;
            TRY(for_each_chunk(s.path, [&](std::string_view chunk) -> Result<void> {
                again.update(chunk);
                size += chunk.size();
                if (size > m.size) return success();
                return out.write(chunk);
            }));
            if (size != m.size || again.hex() != m.sha256)
                return internal_error(s.path + " changed while it was being backed up");
        }
        TRY(out.pad(m.size));
    }
    const std::string checksum = "sha256 " + out.hash.hex() + "\n";
    TRY(out.header(kChecksumName, checksum.size(), manifest.created_at));
    TRY(out.write(checksum));
    TRY(out.pad(checksum.size()));
    static const std::array<char, 2 * kBlock> end{};
    return out.write(std::string_view(end.data(), end.size()));
}

Result<BackupManifest> extract_backup_archive(const std::string& path, const std::string& into) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return refused(path, std::string("cannot be read: ") + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return refused(path, "not a file");
    Input in(fd, path);

    TRY_ASSIGN(const Entry head, read_header(in, kManifestName));
    if (head.name != kManifestName) return refused(path, "not a Relais backup (it does not start with MANIFEST)");
    TRY_ASSIGN(const std::string text, read_small(in, head, kMaxManifest));
    auto parsed = parse_manifest(text);
    if (!parsed) return refused(path, parsed.error().params.front().second);
    BackupManifest manifest = std::move(parsed).value();

    for (const BackupMember& expected : manifest.members) {
        TRY_ASSIGN(const Entry e, read_header(in, expected.name));
        if (e.name != expected.name)
            return refused(path, "\"" + expected.name + "\" is missing (the archive has \"" +
                                     escape_untrusted(e.name, 100) + "\" in its place)");
        if (e.size != expected.size)
            return refused(path, "\"" + e.name + "\" is " + std::to_string(e.size) + " bytes, the manifest says " +
                                     std::to_string(expected.size));
        TRY(extract_member(in, e, expected, into));
    }
    const std::string whole = in.hash.hex();
    TRY_ASSIGN(const Entry tail, read_header(in, kChecksumName));
    if (tail.name != kChecksumName)
        return refused(path,
                       "\"" + escape_untrusted(tail.name, 100) + "\" is not in the manifest: the file was altered");
    TRY_ASSIGN(const std::string checksum, read_small(in, tail, 128));
    if (checksum != "sha256 " + whole + "\n")
        return refused(path, "altered: the SHA-256 of the file is " + whole + ", not the one at its end (CHECKSUM)");
    // Then tar's end, two zero blocks, and nothing after them.
    Block b{};
    for (int i = 0; i < 2; ++i) {
        TRY_ASSIGN(const bool got, in.read(b));
        if (!got) return refused(path, "truncated: the file ends before the end of the archive");
        if (!all_zero(b)) return refused(path, "altered: data after CHECKSUM, at byte " + std::to_string(in.offset));
    }
    if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != in.offset)
        return refused(path, "altered: " + std::to_string(static_cast<std::uint64_t>(st.st_size) - in.offset) +
                                 " byte(s) after the end of the archive");
    return manifest;
}

}  // namespace relais
