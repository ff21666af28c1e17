#pragma once
// Small files written and read whole, the one way relais does it: a file relais writes over
// itself is replaced whole, so that a reader (or a power cut) sees the old bytes or the new ones,
// never a part (<data_dir>/settings.toml, the certificates and their keys, backup-status, the
// backups themselves, a restored configuration); a file read whole is read with a bound, its
// errors reported (never taken for an empty file). Also the fsyncs that make a written file and
// its name survive a power cut.

#include "result.hpp"

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

enum class SyncWhat { file, directory };
/// fsync of a file's data or of a folder's entries (a rename in it). Error "cannot sync <path>".
Result<void> fsync_path(const std::string& path, SyncWhat what);

/// How a written file's permissions are set.
enum class ModeIs {
    exact,        // `mode` whatever the umask and whatever a leftover temporary had: an error if it cannot be set
    at_creation,  // `mode` given at creation, under the umask; a file system without modes (a FAT
                  // USB stick, some shares) keeps its own: for files written there
};

struct FileOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};

struct WriteOptions {
    mode_t mode = 0600;
    ModeIs mode_is = ModeIs::exact;
    std::optional<FileOwner> owner;  // set: the file is given to them (needs the right to: root)
};

/// Writes a file at `path` (created, or truncated when there is one; a symlink there is refused)
/// through `write`, which is given its descriptor, then fsyncs it; the mode and owner are set
/// before a byte is written. On error the file is removed (unless what was there could not be
/// opened: not ours) and the error says why. For a file renamed into place later (a restore
/// stages its parts before it changes anything): otherwise, replace_file().
Result<void> write_synced_file(const std::string& path, const WriteOptions& options,
                               const std::function<Result<void>(int fd)>& write);
Result<void> write_synced_file(const std::string& path, std::string_view bytes, const WriteOptions& options);

/// Writes `path` + ".tmp" as write_synced_file() does, renames it over `path`, then fsyncs the
/// folder. On error (detail "cannot write <path>: <why>", param "reason" <why> for the disk's
/// errors; what `write` returned, as it is) the temporary is removed and `path` is as it was, but
/// for the folder's fsync failing after the rename. Not for two writers of one path at once: they
/// share the temporary name.
Result<void> replace_file(const std::string& path, const WriteOptions& options,
                          const std::function<Result<void>(int fd)>& write);
Result<void> replace_file(const std::string& path, std::string_view bytes, const WriteOptions& options);
/// The same, `mode` exact, no owner given.
Result<void> replace_file(const std::string& path, std::string_view bytes, mode_t mode);

/// The whole content of the file at `path`, at most `max_bytes`. Errors: not_found
/// "file_missing" when there is none; too_large "file_too_large" (param "max") past the bound;
/// internal otherwise (not a plain file, the disk); each with param "reason" and detail "cannot
/// read <path>: <reason>".
Result<std::string> read_file(const std::string& path, std::size_t max_bytes);

}  // namespace relais
