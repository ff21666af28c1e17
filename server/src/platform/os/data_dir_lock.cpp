#include "data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relais {
namespace fs = std::filesystem;

Result<DataDirLock> DataDirLock::acquire(const std::string& data_dir) {
    std::error_code ec;
    if (fs::create_directories(data_dir, ec))
        fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return internal_error("cannot create the data directory " + data_dir + ": " + ec.message());
    std::string path = data_dir + "/relais.lock";
    // Read-only: flock needs no more, and a lock file left by root (a restore) stays usable.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return internal_error("cannot open the lock file " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err != EWOULDBLOCK)
            return internal_error("cannot lock the data directory with " + path + ": " + std::strerror(err));
        Error e = make_error(ErrorKind::conflict, "data_dir_locked", {{"path", path}});
        e.detail = "relais is running on the data directory " + data_dir + " (a process holds " + path +
                   "); stop it first (on the appliance: systemctl stop relais)";
        return e;
    }
    return DataDirLock(fd, std::move(path));
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace relais
