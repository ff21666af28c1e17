#pragma once
// Serves the web/ assets: read from disk on first use and again only when the file changes
// (so an upgrade or a developer's edit shows without a restart), with an ETag for cheap
// revalidation. Paths are checked before they reach the file system.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace relais {

struct StaticFile {
    std::string content;
    std::string content_type;
    std::string etag;
    std::string gzip;  // the content gzip-compressed, made once; empty when not worth it
};

/// `content` gzip-compressed (RFC 1952), at the best level; empty if zlib fails.
std::string gzip_compress(std::string_view content);

/// Thread-safe.
class StaticFiles {
public:
    explicit StaticFiles(std::string root);
    /// `relative` as in the URL ("workspace/assets/app.css"); nullopt if unsafe or missing.
    std::optional<std::shared_ptr<const StaticFile>> get(std::string_view relative);
    const std::string& root() const { return root_; }

private:
    struct Cached {
        std::shared_ptr<const StaticFile> file;
        long long mtime_ns = 0;
        long long size = 0;
    };
    std::string root_;
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
};

std::string_view content_type_for(std::string_view path);

/// Only [A-Za-z0-9._-] segments separated by '/', none starting with '.'.
bool safe_relative_path(std::string_view path);

}  // namespace relais
