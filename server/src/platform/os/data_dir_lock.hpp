#pragma once
// One relais at a time on a data directory: the service holds an exclusive flock on
// <data_dir>/relais.lock while it runs, and `relais restore`, which replaces the database under
// it, takes the same lock or refuses. The kernel drops the lock when the process ends, however
// it ends, so a crash never leaves a stale lock behind (a pid file would).

#include "result.hpp"

#include <string>

namespace relais {

class DataDirLock {
public:
    /// Creates `data_dir` (0700) if it is missing, then takes the lock without waiting. Error
    /// "data_dir_locked" (param "path": the lock file) when another process holds it: its
    /// detail says that relais is running on that data directory.
    static Result<DataDirLock> acquire(const std::string& data_dir);

    DataDirLock(DataDirLock&& other) noexcept;
    DataDirLock& operator=(DataDirLock&&) = delete;
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;
    /// Releases the lock.
    ~DataDirLock();

    const std::string& path() const { return path_; }

private:
    DataDirLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    int fd_ = -1;
    std::string path_;
};

}  // namespace relais
