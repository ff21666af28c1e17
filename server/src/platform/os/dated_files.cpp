#include "dated_files.hpp"

#include "civil_time.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace relais {
namespace fs = std::filesystem;
namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string utc_stamp(UnixMs now) {
    const CivilTime t = civil_from_utc(now);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);
    return buf;
}

std::optional<DateOrder> stamp_order(std::string_view tail, std::string_view suffix) {
    if (!tail.ends_with(suffix)) return std::nullopt;
    tail.remove_suffix(suffix.size());
    const std::string_view stamp = tail.substr(0, 16);
    if (stamp.size() != 16 || !all_digits(stamp.substr(0, 8)) || stamp[8] != 'T' || !all_digits(stamp.substr(9, 6)) ||
        stamp[15] != 'Z')
        return std::nullopt;
    tail.remove_prefix(16);
    int n = 0;
    if (!tail.empty()) {
        if (tail.front() != '-' || !all_digits(tail.substr(1)) || tail.size() > 6) return std::nullopt;
        n = std::stoi(std::string(tail.substr(1)));
    }
    return DateOrder(std::string(stamp), n);
}

std::vector<std::string> dated_files(const std::string& dir,
                                     const std::function<std::optional<DateOrder>(std::string_view name)>& order_of) {
    std::vector<std::pair<DateOrder, std::string>> found;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        if (auto at = order_of(it->path().filename().string())) found.emplace_back(*at, it->path().string());
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& [order, path] : found) out.push_back(std::move(path));
    return out;
}

std::string unused_dated_path(const std::string& dir, const std::string& base, std::string_view suffix) {
    const std::string first = dir + "/" + base;
    std::string path = first + std::string(suffix);
    std::error_code ec;
    for (int n = 1; fs::exists(path, ec) && n < 1000; ++n) path = first + "-" + std::to_string(n) + std::string(suffix);
    return path;
}

std::vector<std::string> remove_oldest(const std::vector<std::string>& files, std::size_t keep,
                                       const std::string& spare) {
    std::vector<std::string> removed;
    std::error_code ec;
    for (std::size_t i = 0, left = files.size(); i < files.size() && left > keep; ++i) {
        if (files[i] == spare) continue;
        if (fs::remove(files[i], ec)) removed.push_back(files[i]);
        --left;
    }
    return removed;
}

}  // namespace relais
