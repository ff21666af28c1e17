#pragma once
// Files named by the UTC time they were made (the database copies before a migration, the
// backups): the time stamp in their names, their order, keeping the newest N. Names are ours
// only when they match exactly: pruning never touches anything else in the folder. (The fsyncs
// that make such a file and its name survive a power cut are atomic_file.hpp's.)

#include "clock.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relais {

/// "20261206T043734Z": the UTC time of `now` to the second, sortable as text.
std::string utc_stamp(UnixMs now);

/// Where a dated name sorts: its stamp, then n of "-<n>" (a second file in the same second; 0 for the first).
using DateOrder = std::pair<std::string, int>;

/// The order of a name's tail "<stamp><suffix>" or "<stamp>-<n><suffix>"; nullopt when the
/// tail is anything else.
std::optional<DateOrder> stamp_order(std::string_view tail, std::string_view suffix);

/// The files of `dir` whose names `order` recognises, oldest first. A folder that cannot be
/// read has none.
std::vector<std::string> dated_files(const std::string& dir,
                                     const std::function<std::optional<DateOrder>(std::string_view name)>& order);

/// `dir`/`base`<suffix>, or `dir`/`base`-<n><suffix> with the smallest n that names no file yet.
std::string unused_dated_path(const std::string& dir, const std::string& base, std::string_view suffix);

/// Removes the oldest of `files` (as dated_files() orders them) until `keep` are left; `spare`
/// (the file just written) is never removed, whatever its name says: a clock set back (a box
/// that booted without the time) would otherwise make the newest copy look the oldest. Returns
/// the paths removed.
std::vector<std::string> remove_oldest(const std::vector<std::string>& files, std::size_t keep,
                                       const std::string& spare);

}  // namespace relais
