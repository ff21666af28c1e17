#pragma once
// HTTP as the applications see it: plain request/response values and a route table.
// Pistache appears only in http_server.cpp, so the route handlers are unit-tested by
// calling them with an HttpRequest, with no socket.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relais {

enum class Method { get, head, post, put, patch, del, options, other };
std::string_view to_string(Method m);

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    Method method = Method::get;
    std::string path;    // percent-decoded, without the query
    NameValues query;    // decoded; a repeated name appears once (the server keeps the first)
    NameValues headers;  // names in lower case
    NameValues cookies;
    std::string body;
    std::string peer;  // the client's IP address

    const std::string* header(std::string_view lower_name) const;
    const std::string* cookie(std::string_view name) const;
    const std::string* query_param(std::string_view name) const;
    bool is_safe_method() const { return method == Method::get || method == Method::head || method == Method::options; }
};

struct SetCookie {
    std::string name;
    std::string value;
    std::optional<int> max_age_s;  // nullopt: a browser-session cookie; 0: delete
    bool http_only = true;
    bool secure = false;
    std::string same_site = "Strict";
    std::string path = "/";
};

/// The open end of a long-lived response (server-sent events), written from any thread.
class StreamSink {
public:
    virtual ~StreamSink() = default;
    /// Sends `chunk` now; false once the client has gone or the listener is stopping.
    virtual bool write(std::string_view chunk) = 0;
    /// Ends the response; later writes return false.
    virtual void close() = 0;
};

struct HttpResponse {
    int status = 200;
    NameValues headers;
    std::vector<SetCookie> cookies;
    std::string body;
    /// When set, the status and headers are sent, `body` is ignored, and the connection stays
    /// open: the listener hands its sink to this function, which keeps it as long as it likes.
    std::function<void(std::shared_ptr<StreamSink>)> stream;

    HttpResponse& header(std::string name, std::string value);
    const std::string* find_header(std::string_view name) const;  // case-insensitive
};

/// What a listener serves: called on the server's threads, concurrently.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// A request path as it may be logged: a customer's magic link is a credential, so
/// "/o/<token>/open" becomes "/o/…/open"; the rest is escaped and cut to 200 bytes.
std::string loggable_path(std::string_view path);

/// Percent-decoding; with `plus_is_space` for query strings. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

/// Parameters captured from a route pattern such as "/api/v1/repair-orders/{id}".
class PathParams {
public:
    void add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
    const std::string& get(std::string_view name) const;  // "" if absent
    /// The parameter as a positive integer id, or nullopt.
    std::optional<long long> id(std::string_view name) const;

private:
    NameValues values_;
};

/// Routes by method and path pattern ("{name}" matches one segment). A path that matches a
/// route with another method is a 405 with Allow; no match at all is a 404. `Entry` is what
/// the application stores per route (its handler and access rule).
template <class Entry>
class Router {
public:
    void add(Method method, std::string_view pattern, Entry entry) {
        routes_.push_back({method, split(pattern), std::move(entry)});
    }

    struct Match {
        const Entry* entry = nullptr;
        PathParams params;
        std::vector<Method> allowed;  // when the path matched but not the method
    };

    Match match(Method method, std::string_view path) const {
        Match m;
        const std::vector<std::string> segments = split(path);
        const Method effective = method == Method::head ? Method::get : method;
        for (const Route& r : routes_) {
            PathParams params;
            if (!matches(r.segments, segments, params)) continue;
            if (r.method == effective) {
                m.entry = &r.entry;
                m.params = std::move(params);
                return m;
            }
            m.allowed.push_back(r.method);
        }
        return m;
    }

private:
    struct Route {
        Method method;
        std::vector<std::string> segments;
        Entry entry;
    };

    static std::vector<std::string> split(std::string_view path) {
        std::vector<std::string> out;
        std::size_t start = 0;
        while (start < path.size()) {
            if (path[start] == '/') {
                ++start;
                continue;
            }
            const std::size_t end = path.find('/', start);
            out.emplace_back(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
            if (end == std::string_view::npos) break;
            start = end;
        }
        return out;
    }

    static bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                        PathParams& params) {
        if (pattern.size() != path.size()) return false;
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            const std::string& p = pattern[i];
            if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
                params.add(p.substr(1, p.size() - 2), path[i]);
            } else if (p != path[i]) {
                return false;
            }
        }
        return true;
    }

    std::vector<Route> routes_;
};

}  // namespace relais
