#include "static_files.hpp"

#include "crypto.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

namespace relais {

std::string_view content_type_for(std::string_view path) {
    const auto ends = [&](std::string_view ext) {
        return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
    if (ends(".json")) return "application/json";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

bool safe_relative_path(std::string_view path) {
    if (path.empty() || path.size() > 200) return false;
    bool segment_start = true;
    for (char c : path) {
        if (c == '/') {
            if (segment_start) return false;  // empty segment
            segment_start = true;
            continue;
        }
        if (segment_start && c == '.') return false;  // hidden files, "." and ".."
        segment_start = false;
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return !segment_start;
}

std::string gzip_compress(std::string_view content) {
    z_stream z{};
    // 15 window bits + 16: a gzip header and trailer rather than zlib's.
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    std::string out(deflateBound(&z, static_cast<uLong>(content.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
    z.avail_in = static_cast<uInt>(content.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int done = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return done == Z_STREAM_END ? out : std::string();
}

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

std::optional<std::shared_ptr<const StaticFile>> StaticFiles::get(std::string_view relative) {
    if (!safe_relative_path(relative)) return std::nullopt;
    const std::string path = root_ + "/" + std::string(relative);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    const long long mtime = static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
    std::lock_guard lock(mutex_);
    auto it = cache_.find(path);
    if (it != cache_.end() && it->second.mtime_ns == mtime && it->second.size == st.st_size) return it->second.file;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream buf;
    buf << in.rdbuf();
    auto file = std::make_shared<StaticFile>();
    file->content = buf.str();
    file->content_type = std::string(content_type_for(relative));
    file->etag = "\"" + to_hex(sha256(file->content)).substr(0, 16) + "\"";
    // Text compresses to a third or less: worth it for anything past a packet's worth, over a
    // customer's weak mobile connection most of all. Images and fonts are compressed already.
    const bool text = file->content_type.rfind("text/", 0) == 0 || file->content_type == "application/json" ||
                      file->content_type == "image/svg+xml";
    if (text && file->content.size() > 1024) {
        std::string packed = gzip_compress(file->content);
        if (!packed.empty() && packed.size() < file->content.size()) file->gzip = std::move(packed);
    }
    cache_[path] = Cached{file, mtime, static_cast<long long>(st.st_size)};
    return std::shared_ptr<const StaticFile>(file);
}

}  // namespace relais
