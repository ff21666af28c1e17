#include "atomic_file.hpp"

#include "dated_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relais {

Result<void> replace_file(const std::string& path, std::string_view bytes, mode_t mode) {
    const std::string tmp = path + ".tmp";
    const auto error = [&](int err) {
        Error e = internal_error("cannot write " + path + ": " + std::strerror(err));
        e.params = {{"reason", std::strerror(err)}};
        return e;
    };
    const auto failed = [&](int err) {
        ::unlink(tmp.c_str());
        return error(err);
    };
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    // Nothing was created when open failed: what stands at the temporary name is not ours to remove.
    if (fd < 0) return error(errno);
    bool ok = ::fchmod(fd, mode) == 0;
    for (std::size_t done = 0; ok && done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int err = errno;
    if (::close(fd) != 0 && ok) return failed(errno);
    if (!ok) return failed(err);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return failed(errno);
    const std::string folder = std::filesystem::path(path).parent_path().string();
    if (auto synced = fsync_path(folder.empty() ? "." : folder, SyncWhat::directory); !synced) {
        Error e = std::move(synced).error();
        e.params = {{"reason", e.detail}};
        return e;
    }
    return success();
}

}  // namespace relais
