#pragma once
// A small file replaced whole: a reader (or a power cut) sees the old bytes or the new ones,
// never a part. Used for what relais writes over itself: <data_dir>/settings.toml, the
// self-signed certificate and its key.

#include "result.hpp"

#include <sys/types.h>

#include <string>
#include <string_view>

namespace relais {

/// Writes `bytes` to `path` + ".tmp" (a temporary left by a crash is truncated, its mode set to
/// `mode` before a byte is written; a symlink there is refused), fsyncs it, renames it over
/// `path`, then fsyncs the folder. On error (internal, detail "cannot write <path>: <why>", param
/// "reason" <why>) the temporary is removed and `path` is as it was, but for the folder's fsync
/// failing after the rename. Not for two writers of one path at once: they share the temporary
/// name.
Result<void> replace_file(const std::string& path, std::string_view bytes, mode_t mode);

}  // namespace relais
