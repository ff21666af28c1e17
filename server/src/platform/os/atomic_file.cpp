#include "atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relais {
namespace {

Error disk_error(const std::string& verb, const std::string& path, const std::string& reason) {
    Error e = internal_error("cannot " + verb + " " + path + ": " + reason);
    e.params = {{"reason", reason}};
    return e;
}

Result<void> write_all(int fd, std::string_view bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return internal_error(std::strerror(n < 0 ? errno : EIO));
        done += static_cast<std::size_t>(n);
    }
    return success();
}

// Writes `path`; errors name `shown` (the path the caller asked for, when `path` is its
// temporary).
Result<void> write_synced(const std::string& path, const std::string& shown, const WriteOptions& options,
                          const std::function<Result<void>(int fd)>& write) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, options.mode);
    // Nothing was created when open failed: what stands at the name (a symlink) is not ours to remove.
    if (fd < 0) return disk_error("write", shown, std::strerror(errno));
    const auto failed = [&](Error e) {
        ::close(fd);
        ::unlink(path.c_str());
        return e;
    };
    if (options.mode_is == ModeIs::exact && ::fchmod(fd, options.mode) != 0)
        return failed(disk_error("write", shown, std::strerror(errno)));
    if (options.owner && ::fchown(fd, options.owner->uid, options.owner->gid) != 0)
        return failed(
            disk_error("write", shown,
                       "cannot give it to uid " + std::to_string(options.owner->uid) + ": " + std::strerror(errno)));
    if (auto written = write(fd); !written) return failed(std::move(written).error());
    if (::fsync(fd) != 0) return failed(disk_error("write", shown, std::strerror(errno)));
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(path.c_str());
        return disk_error("write", shown, std::strerror(err));
    }
    return success();
}

// write() for bytes: its errors are the disk's, named after `shown`.
std::function<Result<void>(int)> bytes_writer(std::string_view bytes, const std::string& shown) {
    return [bytes, &shown](int fd) -> Result<void> {
        if (auto r = write_all(fd, bytes); !r) return disk_error("write", shown, r.error().detail);
        return success();
    };
}

}  // namespace

Result<void> fsync_path(const std::string& path, SyncWhat what) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (what == SyncWhat::directory ? O_DIRECTORY : 0));
    if (fd < 0) return internal_error("cannot open " + path + " to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return internal_error("cannot sync " + path + ": " + std::strerror(err));
    return success();
}

Result<void> write_synced_file(const std::string& path, const WriteOptions& options,
                               const std::function<Result<void>(int fd)>& write) {
    return write_synced(path, path, options, write);
}

Result<void> write_synced_file(const std::string& path, std::string_view bytes, const WriteOptions& options) {
    return write_synced(path, path, options, bytes_writer(bytes, path));
}

Result<void> replace_file(const std::string& path, const WriteOptions& options,
                          const std::function<Result<void>(int fd)>& write) {
    const std::string tmp = path + ".tmp";
    TRY(write_synced(tmp, path, options, write));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return disk_error("write", path, std::strerror(err));
    }
    const std::string folder = std::filesystem::path(path).parent_path().string();
    if (auto synced = fsync_path(folder.empty() ? "." : folder, SyncWhat::directory); !synced) {
        Error e = std::move(synced).error();
        e.params = {{"reason", e.detail}};
        return e;
    }
    return success();
}

Result<void> replace_file(const std::string& path, std::string_view bytes, const WriteOptions& options) {
    return replace_file(path, options, bytes_writer(bytes, path));
}

Result<void> replace_file(const std::string& path, std::string_view bytes, mode_t mode) {
    return replace_file(path, bytes, WriteOptions{.mode = mode, .mode_is = ModeIs::exact, .owner = std::nullopt});
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused below); reading a
    // plain file is the same with it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        Error e = disk_error("read", path, std::strerror(err));
        if (err == ENOENT) {
            e.kind = ErrorKind::not_found;
            e.code = "file_missing";
        }
        return e;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return disk_error("read", path, std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {  // a FIFO or a device could block, or never end
        ::close(fd);
        return disk_error("read", path, S_ISDIR(st.st_mode) ? "a folder, not a file" : "not a plain file");
    }
    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return disk_error("read", path, std::strerror(err));
        }
        if (n == 0) break;
        if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
            ::close(fd);
            Error e = disk_error("read", path, "larger than " + std::to_string(max_bytes) + " bytes");
            e.kind = ErrorKind::too_large;
            e.code = "file_too_large";
            e.params.emplace_back("max", std::to_string(max_bytes));
            return e;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return text;
}

}  // namespace relais
